import { createServer } from 'node:net';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { startServe, waitReady } from '../helpers/serve-process.js';
import { savedAls, tempDir } from './fixtures.js';

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

  it('--events with --retrain-every: posted events of a new shopper are trained in the background and swapped in through the gate', async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const s = startServe(file, '--port', '0', '--events', path.join(dir, 'events'), '--retrain-every', '1s');
    try {
      const url = await s.url;
      await waitReady(url);
      const t0 = Date.UTC(2026, 0, 1);
      const at = (user: string, item: string, minute: number) => ({ user, item, type: 'purchase', time: t0 + minute * 60_000 });
      // Ten "a" shoppers buy a new product; a new shopper buys four "a" products, then (the latest, held out by the gate) two more.
      const events = [
        ...Array.from({ length: 10 }, (_, u) => at(`u${u}`, 'a-new', u)),
        ...['a0', 'a1', 'a2', 'a3'].map((item, i) => at('newbie', item, 10 + i)),
        ...['a4', 'a5'].map((item, i) => at('newbie', item, 20 + i)),
      ];
      const posted = await fetch(`${url}/events`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(events) });
      expect(posted.status).toBe(200);
      // Bounded: the loop runs every second; a loaded machine may take a while to train in the child process.
      // The gate holds the latest events out of a run: the new shopper's are trained by the run after the first swap.
      let version = 1;
      let sources: string[] = [];
      for (let i = 0; i < 600 && !(version >= 2 && sources.every((x) => x === 'model')); i++) {
        await new Promise((r) => setTimeout(r, 250));
        version = ((await (await fetch(`${url}/health`)).json()) as { model: { version: number } }).model.version;
        const rec = (await (await fetch(`${url}/recommend/newbie?k=5`)).json()) as { items: { source: string }[] };
        sources = rec.items.map((x) => x.source);
      }
      expect(version).toBeGreaterThanOrEqual(2);
      expect(sources).toHaveLength(5);
      expect(sources.every((x) => x === 'model')).toBe(true);
      expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/mfrec_retrain_accepted_total\{kind="partial"\} [1-9]/);
      expect(s.stderr()).toMatch(/taking POST \/events into .*, retraining from them in the background/);
      expect(s.stderr()).toMatch(/partial retrain accepted/);
      s.child.kill('SIGTERM');
      expect(await s.exit).toBe(0);
    } finally {
      s.child.kill('SIGKILL');
    }
  }, 240_000);
});
