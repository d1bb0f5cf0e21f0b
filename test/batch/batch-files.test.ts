/**
 * `mfrec batch recommend` into a folder, with a real redis-server
 * (test/helpers/redis-server.ts) and real `mfrec worker` processes: several
 * workers complete a job; a worker killed with SIGKILL in the middle of a
 * shard leaves exactly one complete list per user; a model changed after
 * submission is refused without retries.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_QUEUE } from '../../lib/batch/jobs.js';
import { cliIn } from '../helpers/cli.js';
import { redisInstalled, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { skipWithout } from '../helpers/system-servers.js';
import { batchRecommendArgs, listProblems, parseRows, runMfrec, startWorker, stopWorkers, userIdsOf, writeBigModel, type Child } from './batch-processes.js';

/** Without Redis's server (apt-get install redis-server), these tests are skipped, except in CI. */
const withoutRedis = skipWithout(redisInstalled());

let redis: RedisServer;
let dir: string;
let model: string;
let users: string[];
const workers: Child[] = [];
const K = 10;

function redisConnection() {
  return { host: '127.0.0.1', port: redis.port };
}

beforeAll(async () => {
  if (withoutRedis) return;
  redis = await startRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'mfrec-batch-'));
  model = path.join(dir, 'model.mfrec');
  // 2 shards of 8192 users over 20000 items: 8 progress reports a shard, time enough to kill a worker in the middle.
  await writeBigModel(model, 16_384, 20_000, 64);
  users = await userIdsOf(model);
}, 120_000);

afterAll(async () => {
  await stopWorkers(workers);
  await redis?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Every part file's rows, in file order. */
function partRows(out: string): string[][] {
  return readdirSync(out)
    .filter((f) => f.startsWith('part-'))
    .sort()
    .flatMap((f) => parseRows(readFileSync(path.join(out, f), 'utf8')));
}

/** `mfrec recommend --all` on one process: what the shards together must hold, row for row. */
async function localRows(modelFile = model): Promise<string[]> {
  const file = path.join(dir, 'local.csv');
  const r = await cliIn(dir)('recommend', '--model-file', modelFile, '--all', '--k', String(K), '--out', file, '--quiet');
  expect(r.code, r.stderr).toBe(0);
  return listed(parseRows(readFileSync(file, 'utf8')));
}

/**
 * Rows as `user,item,rank`, sorted. Scores are left out: the last digit can
 * differ with the number of users scored together, the lists do not.
 */
function listed(rows: readonly string[][]): string[] {
  return rows.map((r) => r.slice(0, 3).join(',')).sort();
}

describe.skipIf(withoutRedis)('mfrec batch recommend into a folder', () => {
  it('several worker processes complete a job: one complete list per user, as recommend --all, and a manifest', async () => {
    const queue = 'several';
    // A smaller model: this is about sharing the shards out, not about stopping in the middle of one.
    const medium = path.join(dir, 'medium.mfrec');
    await writeBigModel(medium, 3000, 4000, 64);
    const mediumUsers = await userIdsOf(medium);
    const started = await Promise.all([0, 1, 2].map(() => startWorker(dir, redis.url, queue)));
    workers.push(...started);
    const out = path.join(dir, 'several');
    const submit = runMfrec(dir, batchRecommendArgs({ model: medium, k: K, shards: 5, out, redis: redis.url, queue }));
    expect(await submit.exit, submit.stderr()).toBe(0);
    await stopWorkers(started);
    const rows = partRows(out);
    expect(listProblems(rows, mediumUsers, K)).toEqual([]);
    expect(listed(rows)).toEqual(await localRows(medium));
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.kind).toBe('recommend');
    expect(manifest.model.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(manifest.users).toBe(mediumUsers.length);
    expect(manifest.rows).toBe(mediumUsers.length * K);
    expect(manifest.shards.map((s: { users: number }) => s.users).reduce((a: number, b: number) => a + b, 0)).toBe(mediumUsers.length);
    expect(manifest.shards.map((s: { output: string }) => path.basename(s.output))).toEqual([1, 2, 3, 4, 5].map((i) => `part-0000${i}-of-00005.csv`));
    // The shards were shared out: more than one worker wrote some.
    expect(new Set(manifest.shards.map((s: { worker: string }) => s.worker)).size).toBeGreaterThan(1);
    // Each worker served until SIGTERM and then stopped cleanly.
    for (const w of started) expect(w.child.exitCode, w.stderr()).toBe(0);
  }, 120_000);

  it('a worker killed with SIGKILL mid-shard: its shard is rerun elsewhere, one complete list per user, no stray files', async () => {
    const queue = 'killed';
    const events = new QueueEvents(queue, { connection: redisConnection() });
    await events.waitUntilReady();
    const victim = await startWorker(dir, redis.url, queue);
    workers.push(victim);
    const victimPid = victim.child.pid!;
    const out = path.join(dir, 'killed');
    const killedShard = new Promise<string>((resolve) => {
      events.on('progress', ({ jobId, data }) => {
        if (typeof data === 'number' && data > 0 && victim.child.exitCode === null && victim.child.signalCode === null) {
          victim.child.kill('SIGKILL');
          resolve(jobId);
        }
      });
    });
    const submit = runMfrec(dir, batchRecommendArgs({ model, k: K, shards: 2, out, redis: redis.url, queue }, '--job-id', 'killed-job'));
    const jobId = await killedShard;
    await victim.exit;
    // The killed shard left nothing that looks complete: its part file is not there.
    const shardIndex = Number(jobId.split('-').at(-1));
    expect(readdirSync(out)).not.toContain(`part-0000${shardIndex + 1}-of-00002.csv`);
    const rescuers = await Promise.all([0, 1].map(() => startWorker(dir, redis.url, queue)));
    workers.push(...rescuers);
    expect(await submit.exit, submit.stderr()).toBe(0);
    await stopWorkers(rescuers);
    await events.close();

    const rows = partRows(out);
    expect(listProblems(rows, users, K)).toEqual([]);
    expect(listed(rows)).toEqual(await localRows());
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    // Every shard was completed by a surviving worker: the one the victim held was rerun.
    expect(manifest.shards.map((s: { worker: string }) => s.worker).filter((w: string) => w.endsWith(`:${victimPid}`))).toEqual([]);
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'part-00001-of-00002.csv', 'part-00002-of-00002.csv']);
  }, 120_000);

  it('a model file changed after submission is refused by the worker: the shard fails at once (no retries), typed error, no output', async () => {
    const queue = 'changed';
    const own = path.join(dir, 'changed.mfrec');
    await writeBigModel(own, 200, 300, 64);
    const out = path.join(dir, 'changed');
    const submit = runMfrec(dir, batchRecommendArgs({ model: own, shards: 2, out, redis: redis.url, queue }, '--job-id', 'changed-job'));
    const q = new Queue(queue, { connection: redisConnection() });
    const waiting = async () => (await q.getJobCounts('wait')).wait;
    for (let i = 0; i < 400 && (await waiting()) < 2 && submit.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await waiting(), submit.stderr()).toBe(2);
    // Replaced on the shared path after the job was queued: another model, another checksum.
    await writeBigModel(own, 201, 300, 64);
    const worker = await startWorker(dir, redis.url, queue);
    workers.push(worker);
    expect(await submit.exit).toBe(1);
    expect(submit.stderr()).toMatch(
      /Shard \d\/2 of job changed-job failed: Model file '.*changed\.mfrec' has checksum sha256:[0-9a-f]+…, the job was submitted with sha256:[0-9a-f]+…/,
    );
    expect(submit.stderr()).toContain('[ERR_MFREC_CORRUPT_FILE]');
    const job = await q.getJob('changed-job-0');
    expect(await job!.getState()).toBe('failed');
    expect(job!.attemptsMade).toBe(1);
    await q.close();
    await stopWorkers([worker]);
    expect(readdirSync(out).filter((f) => f.startsWith('part-'))).toEqual([]);
    expect(readdirSync(out)).not.toContain('manifest.json');
  }, 120_000);

  it('SIGTERM mid-shard: the worker finishes the shard it holds, takes no other, and exits 0', async () => {
    const queue = 'graceful';
    const events = new QueueEvents(queue, { connection: redisConnection() });
    await events.waitUntilReady();
    const first = await startWorker(dir, redis.url, queue);
    workers.push(first);
    let sent = false;
    const stopped = new Promise<string>((resolve) => {
      events.on('progress', ({ jobId, data }) => {
        // Once: a second signal means "exit now".
        if (typeof data === 'number' && data > 0 && !sent) {
          sent = true;
          first.child.kill('SIGTERM');
          resolve(jobId);
        }
      });
    });
    const out = path.join(dir, 'graceful');
    const submit = runMfrec(dir, batchRecommendArgs({ model, k: K, shards: 2, out, redis: redis.url, queue }));
    const held = Number((await stopped).split('-').at(-1));
    expect(await first.exit, first.stderr()).toBe(0);
    // Its shard is complete on disk; the other shard waits for another worker.
    expect(readdirSync(out)).toEqual([`part-0000${held + 1}-of-00002.csv`]);
    const second = await startWorker(dir, redis.url, queue);
    workers.push(second);
    expect(await submit.exit, submit.stderr()).toBe(0);
    await stopWorkers([second]);
    await events.close();
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8'));
    expect(manifest.shards[held].worker).toMatch(new RegExp(`:${first.child.pid}$`));
    expect(manifest.shards[1 - held].worker).toMatch(new RegExp(`:${second.child.pid}$`));
    expect(listProblems(partRows(out), users, K)).toEqual([]);
  }, 120_000);

  it('one worker with --concurrency 2 serves two jobs on two models at once: each shard keeps its own model', async () => {
    const queue = 'two-models';
    const other = path.join(dir, 'other.mfrec');
    await writeBigModel(other, 12_000, 20_000, 64);
    const otherUsers = await userIdsOf(other);
    const worker = await startWorker(dir, redis.url, queue, '--concurrency', '2');
    workers.push(worker);
    const run = (m: string, out: string) => runMfrec(dir, batchRecommendArgs({ model: m, k: K, shards: 3, out: path.join(dir, out), redis: redis.url, queue }));
    const [a, b] = [run(model, 'two-a'), run(other, 'two-b')];
    expect(await a.exit, a.stderr()).toBe(0);
    expect(await b.exit, b.stderr()).toBe(0);
    await stopWorkers([worker]);
    expect(listProblems(partRows(path.join(dir, 'two-a')), users, K)).toEqual([]);
    expect(listProblems(partRows(path.join(dir, 'two-b')), otherUsers, K)).toEqual([]);
    // Right the first time: no shard failed (a retry would hide a model dropped under a running shard).
    expect(worker.stderr()).not.toMatch(/failed \(attempt/);
  }, 120_000);

  it('a missing or unreadable --model, or an --out that is a file: one line naming the flag, before anything is made or queued', async () => {
    const cli = cliIn(dir);
    const csv = path.join(dir, 'not-a-model.csv');
    writeFileSync(csv, 'user,item\nu1,i1\n');
    const cases: Array<[string[], RegExp]> = [
      [['--model', 'missing.mfrec', '--out', 'never-1'], /Cannot read --model file '.*missing\.mfrec': ENOENT.*\[ERR_MFREC_IO\]/],
      [['--model', csv, '--out', 'never-2'], /not-a-model\.csv: not an mfrec model file .*\[ERR_MFREC_BAD_MAGIC\]/],
      [['--model', model, '--out', csv], /--out '.*not-a-model\.csv' is a file, not a folder: .*\[ERR_MFREC_INVALID_ARGUMENT\]/],
    ];
    for (const [args, message] of cases) {
      const r = await cli('batch', 'recommend', '--shards', '2', '--redis', redis.url, '--queue', 'never', ...args);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(dir).filter((f) => f.startsWith('never-'))).toEqual([]);
    const q = new Queue('never', { connection: redisConnection() });
    expect(await q.getJobCountByTypes('wait', 'active', 'completed', 'failed')).toBe(0);
    await q.close();
  });

  it('Redis lost while the submitter waits: after --redis-wait seconds, one line naming --redis and how to collect the job', async () => {
    const own = await startRedis();
    try {
      const small = path.join(dir, 'lost.mfrec');
      await writeBigModel(small, 50, 40, 64);
      const submit = runMfrec(
        dir,
        batchRecommendArgs({ model: small, shards: 2, out: path.join(dir, 'lost'), redis: own.url }, '--job-id', 'lost-job', '--redis-wait', '2'),
      );
      const q = new Queue(DEFAULT_QUEUE, { connection: { host: '127.0.0.1', port: own.port } });
      for (let i = 0; i < 400 && (await q.getJobCounts('wait')).wait < 2 && submit.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      await q.close();
      await own.stop();
      expect(await submit.exit).toBe(1);
      expect(submit.stderr()).toMatch(
        /Lost Redis at redis:\/\/127\.0\.0\.1:\d+ \(--redis\) for 2 s while waiting for job lost-job \(its shards go on: submit it again with --job-id lost-job to collect them\): .*\[ERR_MFREC_IO\]/,
      );
    } finally {
      await own.stop();
    }
  }, 60_000);

  it('a shard that keeps failing is tried 3 times (exponential backoff), then fails the job with its typed error', async () => {
    const queue = 'unreachable';
    const small = path.join(dir, 'small.mfrec');
    await writeBigModel(small, 50, 40, 64);
    const worker = await startWorker(dir, redis.url, queue);
    workers.push(worker);
    // Nothing listens on port 1: every attempt to write the shard's table fails.
    const submit = runMfrec(
      dir,
      batchRecommendArgs(
        { model: small, shards: 1, out: 'postgres://mfrec@127.0.0.1:1/shop?table=recs', redis: redis.url, queue },
        '--job-id',
        'unreachable-job',
      ),
    );
    expect(await submit.exit).toBe(1);
    expect(submit.stderr()).toMatch(
      /Shard 1\/1 of job unreachable-job failed: Cannot write to postgres:\/\/mfrec@127\.0\.0\.1:1\/shop\?table=recs__part1of1: .*\[ERR_MFREC_IO\]/,
    );
    const q = new Queue(queue, { connection: redisConnection() });
    const job = await q.getJob('unreachable-job-0');
    expect(job!.attemptsMade).toBe(3);
    expect(job!.opts.backoff).toEqual({ type: 'exponential', delay: 1000 });
    await q.close();
    await stopWorkers([worker]);
    expect(worker.stderr().match(/failed \(attempt/g)?.length).toBe(3);
  }, 60_000);

  it('a job into a folder that holds the parts of an earlier job with another shard count: only its own parts remain', async () => {
    const queue = 'recount';
    const small = path.join(dir, 'recount.mfrec');
    await writeBigModel(small, 70, 40, 64);
    const smallUsers = await userIdsOf(small);
    const worker = await startWorker(dir, redis.url, queue);
    workers.push(worker);
    const out = path.join(dir, 'recount');
    // Something else of the user's in the folder stays.
    const own = path.join(out, 'copy-of-part-00001-of-00003.csv');
    for (const shards of [3, 2]) {
      const submit = runMfrec(dir, batchRecommendArgs({ model: small, k: K, shards, out, redis: redis.url, queue }));
      expect(await submit.exit, submit.stderr()).toBe(0);
      if (shards === 3) writeFileSync(own, readFileSync(path.join(out, 'part-00001-of-00003.csv')));
    }
    await stopWorkers([worker]);
    expect(readdirSync(out).sort()).toEqual(['copy-of-part-00001-of-00003.csv', 'manifest.json', 'part-00001-of-00002.csv', 'part-00002-of-00002.csv']);
    // A reader of part-*.csv gets each user once.
    expect(listProblems(partRows(out), smallUsers, K)).toEqual([]);
  }, 60_000);

  it('a job that fails in a folder where an earlier job finished: the earlier manifest is gone, since it no longer describes the folder', async () => {
    const queue = 'stale-manifest';
    const own = path.join(dir, 'stale-manifest.mfrec');
    await writeBigModel(own, 80, 50, 64);
    const out = path.join(dir, 'stale-manifest');
    const worker = await startWorker(dir, redis.url, queue);
    workers.push(worker);
    const first = runMfrec(dir, batchRecommendArgs({ model: own, shards: 2, out, redis: redis.url, queue }));
    expect(await first.exit, first.stderr()).toBe(0);
    expect(readdirSync(out)).toContain('manifest.json');
    await stopWorkers([worker]);
    // The next night: the model is replaced on the shared path after the job is queued, and every shard is refused.
    const second = runMfrec(dir, batchRecommendArgs({ model: own, shards: 2, out, redis: redis.url, queue }, '--job-id', 'stale-manifest-2'));
    const q = new Queue(queue, { connection: redisConnection() });
    const waiting = async () => (await q.getJobCounts('wait')).wait;
    for (let i = 0; i < 400 && (await waiting()) < 2 && second.child.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await waiting(), second.stderr()).toBe(2);
    await q.close();
    await writeBigModel(own, 81, 50, 64);
    const again = await startWorker(dir, redis.url, queue);
    workers.push(again);
    expect(await second.exit).toBe(1);
    await stopWorkers([again]);
    expect(readdirSync(out)).not.toContain('manifest.json');
  }, 60_000);

  it('a job id given again reuses its finished shards; with other settings it is refused, naming --job-id', async () => {
    const queue = 'again';
    const small = path.join(dir, 'again.mfrec');
    await writeBigModel(small, 60, 40, 64);
    const worker = await startWorker(dir, redis.url, queue);
    workers.push(worker);
    const out = path.join(dir, 'again');
    const args = [
      'batch',
      'recommend',
      '--model',
      small,
      '--shards',
      '3',
      '--out',
      out,
      '--redis',
      redis.url,
      '--queue',
      queue,
      '--job-id',
      'nightly-1',
      '--json',
    ];
    const first = runMfrec(dir, args);
    expect(await first.exit, first.stderr()).toBe(0);
    await stopWorkers([worker]);
    // No worker runs now: the second submission completes from the shards already done.
    const again = runMfrec(dir, args);
    expect(await again.exit, again.stderr()).toBe(0);
    expect(JSON.parse(again.stdout()).shards).toEqual(JSON.parse(first.stdout()).shards);
    const other = runMfrec(dir, [...args, '--k', '3']);
    expect(await other.exit).toBe(1);
    expect(other.stderr()).toContain(
      "Job id 'nightly-1' was submitted before with other settings (shard 1: model, options or output differ): choose another --job-id [ERR_MFREC_INVALID_ARGUMENT]",
    );
  }, 60_000);
});

describe('mfrec batch and mfrec worker: bad flags and URLs are typed errors naming the flag', () => {
  const cli = cliIn(tmpdir());

  it.each([
    [
      ['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o', '--redis', 'http://localhost:6379'],
      /Invalid --redis 'http:\/\/localhost:6379': not a redis:\/\/ URL/,
      1,
    ],
    [['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o', '--redis', 'redis://localhost:abc'], /Invalid --redis 'redis:\/\/localhost:abc'/, 1],
    [
      ['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o', '--redis', 'redis://u:hunter2@127.0.0.1:6379/x'],
      /Invalid --redis 'redis:\/\/u@127\.0\.0\.1:6379\/x': database 'x' is not a number/,
      1,
    ],
    [['batch', 'recommend', '--model', 'm', '--shards', '0', '--out', 'o', '--redis', 'redis://127.0.0.1'], /option '--shards <n>' argument '0' is invalid/, 2],
    [['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o', '--redis', 'redis://127.0.0.1', '--queue', 'a b'], /Invalid --queue 'a b'/, 1],
    [['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o', '--redis', 'redis://127.0.0.1', '--job-id', 'x/y'], /Invalid --job-id 'x\/y'/, 1],
    [['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o'], /required option '--redis <url>' not specified/, 2],
    [['worker', '--redis', 'localhost:6379'], /Invalid --redis 'localhost:6379': not a redis:\/\/ URL/, 1],
    [['worker', '--redis', 'redis://127.0.0.1', '--concurrency', '0'], /option '--concurrency <n>' argument '0' is invalid/, 2],
    [['worker', '--redis', 'redis://127.0.0.1', '--redis-wait', '0'], /option '--redis-wait <seconds>' argument '0' is invalid/, 2],
    [['batch', 'evaluate', 'train.csv', '--test', 't.csv', '--models', 'als,nope', '--redis', 'redis://127.0.0.1'], /Unknown model 'nope' in --models/, 1],
  ])('%j', async (args, message, code) => {
    const r = await cli(...(args as string[]));
    expect(r.stderr).toMatch(message as RegExp);
    expect(r.stderr).not.toContain('hunter2');
    expect(r.code).toBe(code);
    if (code === 1) expect(r.stderr).toContain('[ERR_MFREC_INVALID_ARGUMENT]');
  });

  it('Redis that cannot be reached: ERR_MFREC_IO naming the URL and --redis, at once, for batch and worker', async () => {
    for (const command of [['batch', 'recommend', '--model', 'm', '--shards', '2', '--out', 'o'], ['worker']]) {
      const r = await cli(...command, '--redis', 'redis://u:hunter2@127.0.0.1:1');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/Cannot reach Redis at redis:\/\/u@127\.0\.0\.1:1 \(--redis\): .*\[ERR_MFREC_IO\]/);
      expect(r.stderr).not.toContain('hunter2');
    }
  });
});
