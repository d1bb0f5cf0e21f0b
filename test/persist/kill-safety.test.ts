/**
 * No data lost when a process dies mid-write: model files and CLI output are
 * written to a temporary file and renamed, so a SIGKILL at any moment leaves
 * the previous complete file (or none), never a half-written one. Children
 * run the compiled library (dist/, built by `npm test`'s pretest).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IdMap } from '../../lib/data/id-map.js';
import { encodeFactorModel } from '../../lib/persist/factor-state.js';
import { encodeModelFile } from '../../lib/persist/model-file.js';
import { loadModel } from '../../lib/persist/load-model.js';
import { FOREIGN_TEMP_MAX_AGE_MS, hostTag, removeStaleTemps, tempPathFor } from '../../lib/persist/temp-files.js';
import type { FactorState } from '../../lib/models/base/factor-model.js';
import { Rng } from '../../lib/random.js';

const root = path.resolve(__dirname, '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-kill-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ALS model file of `users` × `factors` (plus `items` items), written directly: no training needed. */
async function writeModel(file: string, seed: number, users: number, items: number, factors: number, perUser: number): Promise<void> {
  const rng = new Rng(seed);
  const indptr = new Int32Array(users + 1);
  const indices = new Int32Array(users * perUser);
  for (let u = 0; u < users; u++) {
    const start = rng.below(items - perUser);
    for (let j = 0; j < perUser; j++) indices[u * perUser + j] = start + j;
    indptr[u + 1] = (u + 1) * perUser;
  }
  const state: FactorState = {
    factors,
    users: new IdMap(Array.from({ length: users }, (_, u) => `u${u}`)),
    items: new IdMap(Array.from({ length: items }, (_, i) => `i${i}`)),
    userFactors: Float32Array.from({ length: users * factors }, () => rng.uniform() - 0.5),
    itemFactors: Float32Array.from({ length: items * factors }, () => rng.uniform() - 0.5),
    seen: { rows: users, cols: items, indptr, indices, values: new Float32Array(indices.length).fill(1) },
    itemPopularity: new Float32Array(items).fill(1),
  };
  const params = {
    factors,
    iterations: 1,
    regularization: 0.1,
    alpha: 1,
    confidence: 'linear',
    epsilon: 1,
    solver: 'cg',
    cgSteps: 3,
    scaleRegularization: false,
    threads: 1,
    seed,
    backend: 'native',
  };
  await writeFile(file, encodeModelFile(encodeFactorModel({ type: 'als', params, state, extra: {} }, '0.0.0')));
}

/** Resolves with the child's stdout once `pattern` appears in it. */
function waitFor(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      if (pattern.test(out)) {
        child.stdout!.off('data', onData);
        resolve(out);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => reject(new Error(`child exited (${code}) before ${pattern}: ${err}`)));
  });
}

function killed(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

const temps = (target: string) => readdirSync(path.dirname(target)).filter((f) => f.startsWith(`.${path.basename(target)}.`) && f.endsWith('.tmp'));

describe('a model save killed at a random moment', () => {
  const a = path.join(dir, 'a.mfrec');
  const b = path.join(dir, 'b.mfrec');
  beforeAll(async () => {
    // 100 000 users × 64 factors: a 26 MB file, long enough to write that kills land mid-write.
    await writeModel(a, 1, 100_000, 2000, 64, 2);
    await writeModel(b, 2, 100_000, 2000, 64, 2);
  });

  it("always leaves a target that loads as the old or the new model, and at most the killed writer's temporary file", async () => {
    const target = path.join(dir, 'target.mfrec');
    const first = [(await loadModel(a)).userVector('u0')!, (await loadModel(b)).userVector('u0')!];
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
    let midWrite = 0;
    // Kill until three kills have landed mid-write (most do: the write and fsync of 26 MB dominate a save).
    let k = 0;
    for (; k < 15 && midWrite < 3; k++) {
      const child = spawn(process.execPath, [path.join(root, 'test/helpers/save-loop.mjs'), a, b, target], { stdio: ['ignore', 'pipe', 'pipe'] });
      await waitFor(child, k === 0 ? /saved 0/ : /ready/);
      await new Promise((r) => setTimeout(r, 20 + rand() * 400));
      await killed(child);
      const stray = temps(target);
      if (stray.length > 0) midWrite++;
      // The killed writer's file at most: earlier ones were removed by the next successful save.
      expect(stray.length, `kill ${k}: ${stray.join(', ')}`).toBeLessThanOrEqual(1);
      const loaded = await loadModel(target);
      const v = loaded.userVector('u0')!;
      expect(
        first.some((f) => f.every((x, j) => x === v[j])),
        `kill ${k}: target is neither model`,
      ).toBe(true);
    }
    // The point of the test is kills during a write; with writes this long most kills land in one.
    expect(midWrite, `${midWrite} of ${k} kills landed mid-write`).toBeGreaterThan(0);
    if (process.env.MFREC_KILL_STATS) process.stderr.write(`kill-safety: ${midWrite} of ${k} kills landed mid-write\n`);
    // A stray file of a dead writer goes with the next save (here: the explicit cleanup the save runs).
    await removeStaleTemps(target);
    expect(temps(target)).toEqual([]);
  }, 120_000);
});

describe('mfrec recommend --all --out killed mid-way', () => {
  const model = path.join(dir, 'big.mfrec');
  beforeAll(async () => {
    // 60 000 users × 4000 items: the CLI takes seconds to write every user's top 10.
    await writeModel(model, 3, 60_000, 4000, 32, 3);
  });

  it('leaves no output file, then a complete run writes every row', async () => {
    const out = path.join(dir, 'recs.csv');
    const args = [path.join(root, 'bin/mfrec.js'), 'recommend', '--model-file', model, '--all', '--out', out, '--quiet', '--threads', '1'];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    // Kill once the temporary file holds some output: the run is well under way.
    const started = Date.now();
    for (;;) {
      const t = temps(out);
      if (t.length > 0 && statSync(path.join(dir, t[0]!)).size > 200_000) break;
      if (child.exitCode !== null) throw new Error('the CLI finished before it could be killed: make the model bigger');
      if (Date.now() - started > 60_000) throw new Error('no output appeared');
      await new Promise((r) => setTimeout(r, 10));
    }
    await killed(child);
    expect(existsSync(out)).toBe(false);
    expect(temps(out)).toHaveLength(1);

    const done = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const code = await new Promise<number | null>((resolve) => done.once('exit', resolve));
    expect(code).toBe(0);
    const { readFile } = await import('node:fs/promises');
    const lines = (await readFile(out, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe('user,item,rank,score,source');
    expect(lines.length).toBe(1 + 60_000 * 10);
    // The completed run removed the killed run's temporary file.
    expect(temps(out)).toEqual([]);
  }, 120_000);
});

describe('temporary files of writers in other PID namespaces or hosts', () => {
  /** The pid of a process that has exited: no process here has it (barring reuse in the meantime). */
  const deadPid = async (): Promise<number> => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    return child.pid!;
  };
  const target = path.join(dir, 'shared.mfrec');
  const name = (suffix: string) => path.join(dir, `.shared.mfrec.${suffix}.tmp`);

  it('are judged by age, not by a pid that means nothing here; ours by pid', async () => {
    const pid = await deadPid();
    const other = hostTag() === 'abcdef12' ? '12fedcba' : 'abcdef12';
    // A live writer in another container (its own tag) or of an earlier version (no tag), whose pid is not running here.
    const foreign = name(`${other}.${pid}.0a0b0c0d`);
    const untagged = name(`${pid}.0a0b0c0e`);
    // Ours: a dead writer, and a live one (this process's parent).
    const oursDead = name(`${hostTag()}.${pid}.0a0b0c0f`);
    const oursLive = name(`${hostTag()}.${process.ppid}.0a0b0c10`);
    for (const f of [foreign, untagged, oursDead, oursLive]) await writeFile(f, 'partial');
    expect(await removeStaleTemps(target)).toBe(1);
    expect(existsSync(oursDead)).toBe(false);
    for (const f of [foreign, untagged, oursLive]) expect(existsSync(f), f).toBe(true);
    // Untouched for longer than a day: abandoned, whoever wrote it.
    const old = (Date.now() - FOREIGN_TEMP_MAX_AGE_MS - 60_000) / 1000;
    for (const f of [foreign, untagged]) utimesSync(f, old, old);
    expect(await removeStaleTemps(target)).toBe(2);
    expect(temps(target)).toEqual([path.basename(oursLive)]);
  });

  it('carry this host and PID namespace in their names', () => {
    expect(path.basename(tempPathFor(target))).toMatch(new RegExp(`^\\.shared\\.mfrec\\.${hostTag()}\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
  });
});
