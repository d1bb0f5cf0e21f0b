/**
 * tune()'s validation on the latest part of the training data
 * ({ kind: 'time' }): the split, what it leaves out, the scores a search
 * takes from it, and its refusals.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validationOf, type TuneFlags } from '../../lib/cli/tune-shared.js';
import { timeSplit } from '../../lib/data/split.js';
import { trialsSection } from '../../lib/report/trials.js';
import { ErrorCodes, Interactions, MfrecError, tune, tuneResultToJson } from '../../lib/index.js';
import { evaluateTopK } from '../../lib/eval/top-k-ranking.js';
import type { RatingModel } from '../../lib/models/registry.js';
import { Rng } from '../../lib/random.js';
import { familyOf } from '../../lib/tune/parameters.js';
import { createTrialModel } from '../../lib/tune/trial-model.js';
import { tuneAll } from '../../lib/tune/tune-all.js';
import { resolveValidation, validationSplits } from '../../lib/tune/validation-split.js';
import type { Split } from '../../lib/data/split.js';
import { cliIn } from '../helpers/cli.js';
import { errorCode } from '../helpers/support.js';

/**
 * Planted taste groups with ratings and distinct times, then, after every one
 * of those, a newcomer (user 'late', three known items) and a new product
 * ('fresh', bought by three known users): both seen only in the latest part.
 */
function timedData(seed = 4, users = 45, withTimes = true): Interactions {
  const rng = new Rng(seed);
  const u: string[] = [];
  const i: string[] = [];
  const v: number[] = [];
  const t: number[] = [];
  const add = (user: string, item: string, value: number, time: number) => {
    u.push(user);
    i.push(item);
    v.push(value);
    t.push(time);
  };
  for (let a = 0; a < users; a++) {
    for (let b = 0; b < 36; b++) {
      const own = Math.floor(b / 12) === a % 3;
      if (rng.uniform() < (own ? 0.45 : 0.05)) add(`u${a}`, `i${b}`, own ? 4 + rng.below(2) : 1 + rng.below(2), 0);
    }
  }
  // Distinct times in a random order, so "the latest n" has one answer.
  const order = rng.shuffle(Int32Array.from(t, (_, k) => k));
  order.forEach((time, k) => (t[k] = time));
  for (const b of [0, 1, 2]) add('late', `i${b}`, 5, 1e6 + b);
  for (const a of [0, 1, 2]) add(`u${a}`, 'fresh', 5, 1e6 + 10 + a);
  return Interactions.fromArrays(u, i, withTimes ? { values: v, timestamps: t } : { values: v });
}

/** The (user, item, time) triples of a part, by raw id. */
function triples(d: Interactions): Array<{ user: string; item: string; time: number }> {
  return [...d.entries()].map((e) => ({ user: String(e.user), item: String(e.item), time: e.timestamp! }));
}

describe("validation { kind: 'time' }", () => {
  it('defaults to the latest 0.2 and checks its fraction as the holdout does', () => {
    expect(resolveValidation({ kind: 'time' })).toEqual({ kind: 'time', testFraction: 0.2 });
    expect(resolveValidation({ kind: 'time', testFraction: 0.3 })).toEqual({ kind: 'time', testFraction: 0.3 });
    for (const bad of [0, 1, -0.1, '0.2']) {
      expect(() => resolveValidation({ kind: 'time', testFraction: bad })).toThrow(MfrecError);
    }
    expect(() => resolveValidation({ kind: 'time', folds: 3 })).toThrow(/folds/);
  });

  it('validates on the latest interactions, leaving out users and items first seen there, for ranking and rating searches alike', () => {
    const data = timedData();
    const fraction = 0.25;
    const [split] = validationSplits(data, false, { kind: 'time', testFraction: fraction }, 42) as [Split];
    const train = triples(split.train);
    const test = triples(split.test);
    const latestCount = Math.round(data.nnz * fraction);
    expect(train).toHaveLength(data.nnz - latestCount);
    // Every validation interaction comes at or after every training one.
    expect(Math.min(...test.map((x) => x.time))).toBeGreaterThanOrEqual(Math.max(...train.map((x) => x.time)));
    // Exactly the latest interactions whose user and item were both seen before them, counted here from the raw triples.
    const all = triples(data).sort((a, b) => a.time - b.time);
    const earlier = all.slice(0, all.length - latestCount);
    const users = new Set(earlier.map((x) => x.user));
    const items = new Set(earlier.map((x) => x.item));
    const expected = all.slice(all.length - latestCount).filter((x) => users.has(x.user) && items.has(x.item));
    const byKey = (a: { user: string; item: string }, b: { user: string; item: string }) => (a.user + a.item < b.user + b.item ? -1 : 1);
    expect([...test].sort(byKey)).toEqual(expected.sort(byKey));
    // The newcomer and the new product are among those left out.
    expect(test.some((x) => x.user === 'late' || x.item === 'fresh')).toBe(false);
    expect(expected.length).toBeLessThanOrEqual(latestCount - 6);
    // A search on rating error validates on the same latest ratings.
    const [rating] = validationSplits(data, true, { kind: 'time', testFraction: fraction }, 42) as [Split];
    expect(triples(rating.test)).toEqual(test);
    expect(triples(rating.train)).toEqual(train);
  });

  it('a ranking search scores each configuration on that split', async () => {
    const data = timedData();
    const r = await tune(data, { model: 'ease', budget: 3, validation: { kind: 'time' }, adaptDefaults: false, threads: 1 });
    expect(r.validation).toEqual({ kind: 'time', testFraction: 0.2 });
    expect(tuneResultToJson(r).validation).toEqual({ kind: 'time', testFraction: 0.2 });
    const [split] = validationSplits(data, false, r.validation, r.seed) as [Split];
    for (const trial of r.trials) {
      const model = createTrialModel(familyOf('ease'), trial.params, { threads: 1, seed: r.seed });
      await model.fit(split.train);
      const m = await evaluateTopK(model, split.train, split.test, { k: 10, threads: 1 });
      expect(trial.score).toBeCloseTo(m.ndcg, 12);
      expect(trial.metrics['precision@10']).toBeCloseTo(m.precision, 12);
    }
  });

  it('a search on rating error scores on the latest ratings', async () => {
    const data = timedData(8);
    const r = await tune(data, {
      model: 'explicit',
      budget: 2,
      strategy: 'random',
      space: { factors: 4, iterations: 20 },
      validation: { kind: 'time', testFraction: 0.25 },
      adaptDefaults: false,
      threads: 1,
    });
    expect(r.metric).toBe('rmse');
    const [split] = validationSplits(data, true, r.validation, r.seed) as [Split];
    for (const trial of r.trials) {
      const model = createTrialModel(familyOf('explicit'), trial.params, { threads: 1, seed: r.seed, earlyStopping: true }) as RatingModel;
      await model.fit(split.train, { validation: split.test });
      expect(trial.score).toBeCloseTo((await model.evaluate(split.test)).rmse, 10);
    }
  });

  it('refuses data without timestamps, and a latest part holding only users or items unseen before', async () => {
    const untimed = timedData(4, 45, false);
    for (const run of [
      () => tune(untimed, { model: 'als', budget: 1, validation: { kind: 'time' } }),
      () => tuneAll(untimed, { models: ['ease', 'als'], budget: 1, validation: { kind: 'time' } }),
    ]) {
      const error = await run().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MfrecError);
      expect((error as MfrecError).code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect((error as MfrecError).message).toMatch(/validation \{ kind: 'time' \} needs interactions with timestamps/);
    }
    const onlyNew = Interactions.fromArrays(['a', 'a', 'b', 'b', 'c'], ['x', 'y', 'x', 'y', 'z'], { timestamps: [1, 2, 3, 4, 5] });
    expect(await errorCode(tune(onlyNew, { model: 'ease', budget: 1, validation: { kind: 'time', testFraction: 0.2 } }))).toBe(ErrorCodes.EMPTY_DATA);
  });
});

describe('mfrec tune --validation-by-time', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-tune-time-'));
  const mfrec = cliIn(dir);
  const write = (file: string, d: Interactions, times: boolean) =>
    writeFileSync(
      path.join(dir, file),
      `${[times ? 'user,item,timestamp' : 'user,item', ...[...d.entries()].map((e) => `${e.user},${e.item}${times ? `,${e.timestamp}` : ''}`)].join('\n')}\n`,
    );
  const { train, test } = timeSplit(timedData(12, 60), { testFraction: 0.2 });
  write('train.csv', train, true);
  write('test.csv', test, true);
  write('untimed.csv', train, false);
  const flags = (f: Partial<TuneFlags>) => ({ model: 'als', budget: 1, strategy: 'halving', seed: 42, threads: 0, ...f }) as TuneFlags;

  it('reads the flag with --validation-fraction, and refuses it with --folds', () => {
    expect(validationOf(flags({ validationByTime: true }))).toEqual({ kind: 'time' });
    expect(validationOf(flags({ validationByTime: true, validationFraction: 0.3 }))).toEqual({ kind: 'time', testFraction: 0.3 });
    expect(validationOf(flags({ validationFraction: 0.3 }))).toEqual({ kind: 'holdout', testFraction: 0.3 });
    expect(() => validationOf(flags({ validationByTime: true, folds: 3 }))).toThrow(/--folds and --validation-by-time exclude each other/);
    // A share tune() would refuse is refused by its flag's name, with or without --validation-by-time.
    for (const byTime of [true, false]) {
      for (const bad of [0, 0.95]) {
        expect(() => validationOf(flags({ validationByTime: byTime, validationFraction: bad }))).toThrow(
          new RegExp(`^--validation-fraction must be in \\(0, 0\\.9\\], got ${bad}$`),
        );
      }
    }
  });

  it('tunes on the latest share of TRAIN and says so in the JSON, the trials file, the table and the report', async () => {
    const json = await mfrec(
      'tune',
      'train.csv',
      '--model',
      'ease',
      '--budget',
      '2',
      '--validation-by-time',
      '--validation-fraction',
      '0.25',
      '--threads',
      '1',
      '--trials',
      'trials.json',
      '--json',
    );
    expect(json.stderr).toBe('');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout).validation).toEqual({ kind: 'time', testFraction: 0.25 });
    expect(JSON.parse(readFileSync(path.join(dir, 'trials.json'), 'utf8')).validation).toEqual({ kind: 'time', testFraction: 0.25 });
    // The trials' scores are those of tune() on the same data read back from the file.
    const direct = await tune(train, { model: 'ease', budget: 2, validation: { kind: 'time', testFraction: 0.25 }, threads: 1 });
    expect(JSON.parse(json.stdout).best.score).toBeCloseTo(direct.best.score, 10);

    const human = await mfrec('tune', 'train.csv', '--model', 'ease', '--budget', '1', '--validation-by-time', '--test', 'test.csv', '--report', 'r.html');
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/validation\s+latest 0\.2 of TRAIN by time/);
    expect(readFileSync(path.join(dir, 'r.html'), 'utf8')).toContain('latest 0.2 of TRAIN by time');

    const all = await mfrec('tune', 'train.csv', '--model', 'all', '--budget', '1', '--validation-by-time', '--threads', '1', '--json');
    expect(all.code).toBe(0);
    expect(JSON.parse(all.stdout).validation).toEqual({ kind: 'time', testFraction: 0.2 });
  });

  it('fails with one line naming the flag and the file', async () => {
    for (const model of ['als', 'all']) {
      const r = await mfrec('tune', 'untimed.csv', '--model', model, '--budget', '1', '--validation-by-time');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^mfrec: --validation-by-time needs timestamps, and TRAIN untimed\.csv has no time column.*\[ERR_MFREC_INVALID_ARGUMENT\]$/m);
      // One error line, no stack (--model all may first note the families the data does not fit).
      expect(
        r.stderr
          .trim()
          .split('\n')
          .filter((line) => !line.startsWith('mfrec: note:')),
      ).toHaveLength(1);
    }
    for (const command of [['tune'], ['batch', 'tune', '--redis', 'redis://127.0.0.1:1']]) {
      const r = await mfrec(...command, 'train.csv', '--model', 'als', '--folds', '3', '--validation-by-time');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/--folds and --validation-by-time exclude each other/);
    }
  });

  it('the report shows how trials were validated when told', () => {
    const trials = [{ id: 0, params: { lambda: 10 }, score: 0.1 }];
    expect(trialsSection({ metric: 'ndcg@10', validation: { kind: 'time', testFraction: 0.2 }, trials }).validation).toBe('latest 0.2 of TRAIN by time');
    expect(trialsSection({ metric: 'ndcg@10', trials }).validation).toBeNull();
  });
});
