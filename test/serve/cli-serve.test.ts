import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { savedAls, tempDir } from './fixtures.js';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');

interface Running {
  child: ChildProcess;
  url: Promise<string>;
  stderr: () => string;
  exit: Promise<number | null>;
}

function startServe(...args: string[]): Running {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error(`serve exited before printing its URL: ${err}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, stderr: () => err, exit };
}

async function waitReady(url: string): Promise<void> {
  // Bounded: 400 tries, 50 ms apart (a loaded machine can take seconds to start node and load the model).
  for (let i = 0; i < 400; i++) {
    if ((await fetch(`${url}/health`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('never ready');
}

describe('mfrec serve', () => {
  it('prints its URL, answers the routes, and closes gracefully on SIGTERM (exit 0)', async () => {
    const file = await savedAls(tempDir());
    const s = startServe(file, '--port', '0');
    try {
      const url = await s.url;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await waitReady(url);
      const rec = (await (await fetch(`${url}/recommend/u1?k=3`)).json()) as { items: { source: string }[]; model: { type: string } };
      expect(rec.items).toHaveLength(3);
      expect(rec.model.type).toBe('als');
      const cart = await fetch(`${url}/recommend`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"items":["a1"],"k":2}' });
      expect(cart.status).toBe(200);
      expect((await fetch(`${url}/metrics`)).status).toBe(200);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
      expect(s.stderr()).toMatch(/serving .*model\.mfrec \(als model, version 1, checksum [0-9a-f]{8}\)/);
      expect(s.stderr()).toMatch(/SIGTERM: closing[\s\S]*stopped/);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('SIGINT stops it too; the file may be given as --model-file', async () => {
    const file = await savedAls(tempDir());
    const s = startServe('--model-file', file, '--port', '0', '--no-watch');
    try {
      await waitReady(await s.url);
      expect(s.stderr()).not.toContain('reloading when the file is replaced');
      s.child.kill('SIGINT');
      expect(await s.exit).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  });

  it('a model file that cannot be loaded, a port in use and a bad --port are one-line errors', async () => {
    const dir = tempDir();
    const cli = cliIn(dir);
    const missing = await cli('serve', path.join(dir, 'none.mfrec'), '--port', '0');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^mfrec: Cannot read model file .*none\.mfrec: no such file \[ERR_MFREC_IO\]\n$/);
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    try {
      const port = String((busy.address() as { port: number }).port);
      const inUse = await cli('serve', await savedAls(dir), '--port', port);
      expect(inUse.code).toBe(1);
      expect(inUse.stderr).toMatch(
        new RegExp(`^mfrec: --host 127\\.0\\.0\\.1 --port ${port}: cannot listen: address already in use \\[ERR_MFREC_INVALID_ARGUMENT\\]\\n$`),
      );
    } finally {
      busy.close();
    }
    expect((await cli('serve', '--port', '0')).stderr).toBe('mfrec: no model file: mfrec serve MODEL (or --model-file MODEL) [ERR_MFREC_INVALID_ARGUMENT]\n');
    expect((await cli('serve', 'a.mfrec', '--model-file', 'b.mfrec')).stderr).toContain('give the model file once');
    const badPort = await cli('serve', 'm.mfrec', '--port', '70000');
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toContain("expected an integer in [0, 65535], got '70000'");
  });

  it('--rules applies a JSON rules file to every answer; a bad file or spec is a one-line error', async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const rulesFile = path.join(dir, 'rules.json');
    writeFileSync(rulesFile, JSON.stringify({ allowed: ['a1', 'a2', 'b1'] }));
    const s = startServe(file, '--port', '0', '--rules', rulesFile);
    try {
      const url = await s.url;
      await waitReady(url);
      const rec = (await (await fetch(`${url}/recommend/u1?k=10`)).json()) as { items: { item: string }[] };
      expect(rec.items.length).toBeGreaterThan(0);
      expect(rec.items.every((i) => ['a1', 'a2', 'b1'].includes(i.item))).toBe(true);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
    const cli = cliIn(dir);
    writeFileSync(rulesFile, '{"allowed": [');
    const notJson = await cli('serve', file, '--port', '0', '--rules', rulesFile);
    expect(notJson.code).toBe(1);
    expect(notJson.stderr).toMatch(/^mfrec: --rules .*rules\.json: not JSON: .*\[ERR_MFREC_PARSE\]\n$/);
    writeFileSync(rulesFile, '{"categoryCaps": {"default": -1}}');
    const badCap = await cli('serve', file, '--port', '0', '--rules', rulesFile);
    expect(badCap.code).toBe(1);
    expect(badCap.stderr).toMatch(/^mfrec: --rules .*rules\.json: .*default.*\[ERR_MFREC_INVALID_ARGUMENT\]\n$/);
  });
});
