/** `mfrec serve --demo` as a command: one start trains and caches the model, the next reads it; flag misuse is a one-line error. */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';
import { tempDir } from './fixtures.js';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');

/** Starts the demo, fetches its page and customers, stops it with SIGTERM; returns what it said. */
async function demoOnce(cacheDir: string): Promise<{ code: number | null; stderr: string; page: string; customers: number }> {
  const child = spawn(process.execPath, [bin, 'serve', '--demo', '--port', '0', '--demo-cache', cacheDir], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]!);
      });
      child.once('exit', () => reject(new Error(`serve --demo exited before printing its URL: ${err}`)));
    });
    const page = await (await fetch(`${url}/`)).text();
    const customers = ((await (await fetch(`${url}/demo/customers`)).json()) as { customers: unknown[] }).customers.length;
    child.kill('SIGTERM');
    return { code: await exit, stderr: err, page, customers };
  } finally {
    child.kill('SIGKILL');
  }
}

describe('mfrec serve --demo', () => {
  it('serves the storefront, trains the model once and reads it from the cache on the next start', async () => {
    const cacheDir = tempDir();
    try {
      const first = await demoOnce(cacheDir);
      expect(first.code).toBe(0);
      expect(first.page).toContain('<title>mfrec storefront demo</title>');
      expect(first.customers).toBe(24);
      expect(first.stderr).toMatch(
        /storefront at http:\/\/127\.0\.0\.1:\d+\/ \(24 customers to pick from; ALS model trained now: .*storefront-als-.*\.mfrec\)/,
      );
      expect(first.stderr).toMatch(/SIGTERM: closing[\s\S]*stopped/);
      const second = await demoOnce(cacheDir);
      expect(second.code).toBe(0);
      expect(second.stderr).toContain('ALS model from the cache');
      // --port is honoured: a port in use is the same one-line error as without --demo.
      const busy = createServer();
      await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
      try {
        const port = String((busy.address() as { port: number }).port);
        const taken = await cliIn(cacheDir)('serve', '--demo', '--port', port, '--demo-cache', cacheDir);
        expect(taken.code).toBe(1);
        expect(taken.stderr).toMatch(
          new RegExp(`\\nmfrec: --host 127\\.0\\.0\\.1 --port ${port}: cannot listen: address already in use \\[ERR_MFREC_INVALID_ARGUMENT\\]\\n$`),
        );
      } finally {
        busy.close();
      }
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('refuses a model file with --demo, and --demo-cache without --demo', async () => {
    const cli = cliIn(tempDir());
    const withFile = await cli('serve', '--demo', 'model.mfrec');
    expect(withFile.code).toBe(1);
    expect(withFile.stderr).toBe('mfrec: --demo serves its own model: give no model file with it [ERR_MFREC_INVALID_ARGUMENT]\n');
    expect((await cli('serve', '--demo', '--model-file', 'model.mfrec')).stderr).toContain('--demo serves its own model');
    const cacheAlone = await cli('serve', 'model.mfrec', '--demo-cache', 'cache');
    expect(cacheAlone.code).toBe(1);
    expect(cacheAlone.stderr).toBe('mfrec: --demo-cache is for --demo only [ERR_MFREC_INVALID_ARGUMENT]\n');
  });
});
