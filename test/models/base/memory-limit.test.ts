/**
 * Memory checks before a kernel allocates count the container's limit
 * (cgroup v2 memory.max, cgroup v1 memory.limit_in_bytes, Node's constrained
 * memory) and MFREC_MEMORY_LIMIT, not only the machine's RAM.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BPR, ExplicitMF, ImplicitALS, Interactions, MfrecError } from '../../../lib/index.js';
import { memoryLimit } from '../../../lib/models/base/memory-limit.js';

const GiB = 2 ** 30;

function cgroupDir(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'mfrec-cgroup-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), text);
  }
  return root;
}

describe('memoryLimit', () => {
  it('takes the cgroup v2 limit when it is below the machine memory', () => {
    const root = cgroupDir({ 'memory.max': `${3 * GiB}\n` });
    expect(memoryLimit({ cgroupRoot: root, env: {} })).toEqual({ bytes: 3 * GiB, source: `the cgroup memory limit (${root}/memory.max)` });
  });

  it('takes the cgroup v1 limit, and ignores "max" and the v1 no-limit sentinel', () => {
    const v1 = cgroupDir({ 'memory/memory.limit_in_bytes': `${2 * GiB}` });
    expect(memoryLimit({ cgroupRoot: v1, env: {} }).bytes).toBe(2 * GiB);
    const none = cgroupDir({ 'memory.max': 'max\n', 'memory/memory.limit_in_bytes': '9223372036854771712\n' });
    expect(memoryLimit({ cgroupRoot: none, env: {} })).toEqual({ bytes: os.totalmem(), source: "this machine's memory" });
  });

  it('takes MFREC_MEMORY_LIMIT in bytes or with a suffix, and refuses a malformed one', () => {
    const root = cgroupDir({});
    expect(memoryLimit({ cgroupRoot: root, env: { MFREC_MEMORY_LIMIT: '1G' } })).toEqual({ bytes: GiB, source: 'MFREC_MEMORY_LIMIT' });
    expect(memoryLimit({ cgroupRoot: root, env: { MFREC_MEMORY_LIMIT: '1048576' } }).bytes).toBe(2 ** 20);
    expect(() => memoryLimit({ cgroupRoot: root, env: { MFREC_MEMORY_LIMIT: 'lots' } })).toThrow(/MFREC_MEMORY_LIMIT/);
  });

  it("never exceeds this process's own limit (no injected sources)", () => {
    const own = memoryLimit();
    expect(own.bytes).toBeGreaterThan(0);
    expect(own.bytes).toBeLessThanOrEqual(os.totalmem());
  });
});

describe('fits refuse what the container cannot hold, before allocating', () => {
  const saved = process.env.MFREC_MEMORY_LIMIT;
  afterEach(() => {
    if (saved === undefined) delete process.env.MFREC_MEMORY_LIMIT;
    else process.env.MFREC_MEMORY_LIMIT = saved;
  });

  // 4,000 users × 4,000 items × 1,024 factors: about 32 MB of factors, far below any machine's memory.
  const ids = Array.from({ length: 4000 }, (_, k) => k);
  const clicks = Interactions.fromArrays(ids, ids);
  const ratings = Interactions.fromArrays(ids, ids, { values: ids.map(() => 3) });

  it.each([
    ['ExplicitMF', () => new ExplicitMF({ factors: 1024, iterations: 1, threads: 1 }).fit(ratings)],
    ['ImplicitALS', () => new ImplicitALS({ factors: 1024, iterations: 1, threads: 1 }).fit(clicks)],
    ['BPR', () => new BPR({ factors: 1024, iterations: 1, threads: 1 }).fit(clicks)],
  ])('%s under a 1 MiB limit fails with ERR_MFREC_OUT_OF_MEMORY naming the limit', async (_name, fit) => {
    process.env.MFREC_MEMORY_LIMIT = '1M';
    const e = await fit().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(MfrecError);
    expect((e as MfrecError).code).toBe('ERR_MFREC_OUT_OF_MEMORY');
    expect((e as MfrecError).message).toMatch(/more than MFREC_MEMORY_LIMIT: 1\.0 MiB/);
  });
});

describe('result arrays are checked against the limit too', () => {
  const saved = process.env.MFREC_MEMORY_LIMIT;
  afterEach(() => {
    if (saved === undefined) delete process.env.MFREC_MEMORY_LIMIT;
    else process.env.MFREC_MEMORY_LIMIT = saved;
  });

  it('recommendBatch, recommendAll and similarItemsBatch refuse results beyond the limit with ERR_MFREC_OUT_OF_MEMORY', async () => {
    const ids = Array.from({ length: 6000 }, (_, k) => `u${k}`);
    const items = ids.map((_, k) => `i${k % 500}`);
    const model = await new ImplicitALS({ factors: 2, iterations: 1, threads: 1 }).fit(Interactions.fromArrays(ids, items));
    process.env.MFREC_MEMORY_LIMIT = '1M';
    // 6,000 users × 500 items × 8 bytes = 24 MB of results.
    for (const call of [
      () => model.recommendBatch(ids, { k: 500, filterSeen: false }),
      () => model.recommendAll({ k: 500, blockSize: 6000 }).next(),
      () => model.similarItemsBatch(items, { k: 499 }),
    ]) {
      const e = await call().catch((x: unknown) => x);
      expect(e).toMatchObject({ name: 'MfrecError', code: 'ERR_MFREC_OUT_OF_MEMORY' });
    }
    delete process.env.MFREC_MEMORY_LIMIT;
    expect((await model.recommendBatch(ids.slice(0, 10), { k: 500 })).length).toBe(10);
  });
});
