/**
 * The processes of a batch job in tests: `mfrec worker` and `mfrec batch`
 * as child processes of the real CLI, and a model big enough that a shard
 * takes several progress reports (so a worker can be killed in the middle of one).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { Interactions } from '../../lib/data/interactions.js';
import { loadModel } from '../../lib/persist/load-model.js';
import { HandMadeModel, randomState } from '../helpers/hand-made-model.js';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');

/** Short locks: a killed worker's shard is rerun 2 s after, not the default 30 s. */
export const TEST_LOCK_MS = '2000';

export interface Child {
  child: ChildProcess;
  stderr: () => string;
  stdout: () => string;
  exit: Promise<number | null>;
}

export function runMfrec(cwd: string, args: string[]): Child {
  const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stderr: () => err, stdout: () => out, exit };
}

/** A worker, resolved once it serves the queue. */
export async function startWorker(cwd: string, redis: string, queue: string, ...extra: string[]): Promise<Child> {
  const w = runMfrec(cwd, ['worker', '--redis', redis, '--queue', queue, '--lock-duration', TEST_LOCK_MS, ...extra]);
  for (let i = 0; i < 600 && !w.stderr().includes('serving queue'); i++) {
    if (w.child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  if (!w.stderr().includes('serving queue')) throw new Error(`worker did not start: ${w.stderr()}`);
  return w;
}

/** Stops workers as an operator would (SIGTERM) and waits for them; a worker already gone is fine. */
export async function stopWorkers(workers: readonly Child[]): Promise<void> {
  for (const w of workers) if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGTERM');
  await Promise.all(workers.map((w) => w.exit));
}

/**
 * A factor model file with `users` users over `items` items and random
 * factors (64: the ALS default its file must agree with): each user has seen
 * 5 items, so every item is known.
 */
export async function writeBigModel(file: string, users: number, items: number, factors: number): Promise<void> {
  const u: string[] = [];
  const i: string[] = [];
  for (let a = 0; a < users; a++) {
    for (let j = 0; j < 5; j++) {
      u.push(`u${a}`);
      i.push(`i${(a * 5 + j) % items}`);
    }
  }
  const data = Interactions.fromArrays(u, i);
  await new HandMadeModel().setState(randomState(7, data, factors)).save(file);
}

/** CSV rows (no header) parsed to [user, item, rank, score, source]. */
export function parseRows(csv: string): string[][] {
  return csv
    .trim()
    .split('\n')
    .slice(1)
    .filter((l) => l !== '')
    .map((l) => l.split(','));
}

/** Checks that `rows` hold exactly one complete list (ranks 1..k, once each) per user of `users`; returns the problems found. */
export function listProblems(rows: readonly string[][], users: readonly string[], k: number): string[] {
  const byUser = new Map<string, number[]>();
  for (const [user, , rank] of rows) {
    const ranks = byUser.get(user!) ?? [];
    ranks.push(Number(rank));
    byUser.set(user!, ranks);
  }
  const problems: string[] = [];
  const known = new Set(users);
  for (const user of users) {
    const ranks = byUser.get(user);
    const expected = Array.from({ length: k }, (_, r) => r + 1).join(',');
    if (ranks === undefined) problems.push(`${user}: missing`);
    else if (ranks.join(',') !== expected) problems.push(`${user}: ranks ${ranks.join(',')}`);
  }
  for (const user of byUser.keys()) if (!known.has(user)) problems.push(`${user}: not a user of the model`);
  return problems;
}

/** The user ids of a model file, as written in the CSV outputs. */
export async function userIdsOf(file: string): Promise<string[]> {
  const model = await loadModel(file);
  const ids = model.userIds.map(String);
  await model.dispose();
  return ids;
}

/** The arguments of `mfrec batch recommend` for these settings, then `extra` flags. */
export function batchRecommendArgs(o: { model: string; shards: number; out: string; redis: string; queue?: string; k?: number }, ...extra: string[]): string[] {
  return [
    ...['batch', 'recommend', '--model', o.model],
    ...(o.k === undefined ? [] : ['--k', String(o.k)]),
    ...['--shards', String(o.shards), '--out', o.out, '--redis', o.redis],
    ...(o.queue === undefined ? [] : ['--queue', o.queue]),
    ...extra,
  ];
}
