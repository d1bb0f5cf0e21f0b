/**
 * No leaks: repeated fit / recommend / save / load / dispose cycles keep
 * memory flat. Runs in a child process with --expose-gc (dist/, built by
 * `npm test`'s pretest) so that garbage collection can be forced before each
 * measurement. RSS settles after about 20 cycles (allocator arenas, JIT
 * code: measured +30 MB over the first 25, +2 MB over the next 30), so the
 * measurement starts there. One cycle allocates about 10 MB of factors and
 * results: keeping even one model's factors (256 KB) per cycle would show
 * as 7.5 MB of external memory over the 30 cycles.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const run = promisify(execFile);

it('memory stays flat over repeated fit/recommend/save/load/dispose cycles', async () => {
  const script = path.resolve(__dirname, '..', 'helpers', 'leak-cycles.mjs');
  const { stdout } = await run(process.execPath, ['--expose-gc', script, '20', '30'], { timeout: 120_000 });
  const { before, after } = JSON.parse(stdout) as Record<'before' | 'after', Record<string, number>>;
  const MB = 1024 * 1024;
  // External memory holds every typed array (factors, CSR, results): it must come back.
  expect((after.external! - before.external!) / MB).toBeLessThan(2);
  expect((after.arrayBuffers! - before.arrayBuffers!) / MB).toBeLessThan(2);
  expect((after.heapUsed! - before.heapUsed!) / MB).toBeLessThan(8);
  // RSS also covers native allocations (kernel scratch, threads, BLAS buffers);
  // except under AddressSanitizer (scripts/sanitize.sh preloads it), whose
  // allocator holds freed blocks in a quarantine of up to 256 MB by design, so
  // RSS there grows with the volume freed, not with what is kept.
  const sanitized = (process.env.LD_PRELOAD ?? '').includes('libasan');
  if (!sanitized) expect((after.rss! - before.rss!) / MB).toBeLessThan(16);
}, 150_000);
