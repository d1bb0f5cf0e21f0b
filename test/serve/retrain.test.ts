import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCodes, ImplicitALS, perUserSplit } from '../../lib/index.js';
import { ModelHandle } from '../../lib/serve/model-handle.js';
import { precisionGate } from '../../lib/serve/precision-gate.js';
import { retrainInBackground } from '../../lib/serve/retrain.js';
import { checkerboard } from '../helpers/implicit-data.js';
import { errorCode } from '../helpers/support.js';
import { savedAls, tempDir } from './fixtures.js';

const handles: ModelHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.close()));
});

/** The checkerboard interactions as a CSV file. */
function writeCheckerboard(file: string): void {
  const data = checkerboard(1);
  const m = data.byUser;
  const lines = ['user,item'];
  for (let u = 0; u < m.rows; u++) for (let e = m.indptr[u]!; e < m.indptr[u + 1]!; e++) lines.push(`${data.users.id(u)},${data.items.id(m.indices[e]!)}`);
  writeFileSync(file, `${lines.join('\n')}\n`);
}

describe('retrainInBackground', () => {
  it("trains in a child process with the running model's hyperparameters, saves over the file and the handle swaps it in", async () => {
    const dir = tempDir();
    const file = await savedAls(dir, 'm.mfrec', 1);
    const csv = path.join(dir, 'data.csv');
    writeCheckerboard(csv);
    const h = await ModelHandle.open(file);
    handles.push(h);
    const result = await retrainInBackground({ handle: h, data: { file: csv }, model: { params: { ...h.model.params, seed: 9 } } });
    expect(result.trained).toMatchObject({ users: 40, items: 20 });
    expect(result.reload.status).toBe('swapped');
    expect(h.info.version).toBe(2);
    expect(h.model.params.seed).toBe(9);
    // The same training in this process gives the same model: the child really trained on the file.
    const local = await new ImplicitALS({ ...h.model.params }).fit(checkerboard(1));
    expect(h.model.recommend('u4', { k: 5 }).map((r) => r.item)).toEqual(local.recommend('u4', { k: 5 }).map((r) => r.item));
  });

  it("a data file that cannot be read rejects with the child's typed error and the running model stays", async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const h = await ModelHandle.open(file);
    handles.push(h);
    expect(await errorCode(retrainInBackground({ handle: h, data: { file: path.join(dir, 'missing.csv') } }))).toBe(ErrorCodes.IO);
    expect(await errorCode(retrainInBackground({ handle: h, data: { file: path.join(dir, 'x.csv') }, model: { type: 'nope' } }))).toBe(
      ErrorCodes.INVALID_ARGUMENT,
    );
    expect(await errorCode(retrainInBackground({ handle: h, data: {} as never }))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(h.info.version).toBe(1);
  });

  it('aborting kills the child: ERR_MFREC_ABORTED, nothing swapped', async () => {
    const dir = tempDir();
    const file = await savedAls(dir);
    const csv = path.join(dir, 'data.csv');
    writeCheckerboard(csv);
    const h = await ModelHandle.open(file);
    handles.push(h);
    const controller = new AbortController();
    const call = retrainInBackground({
      handle: h,
      data: { file: csv },
      model: { params: { ...h.model.params, iterations: 100_000 } },
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(), 300);
    expect(await errorCode(call)).toBe(ErrorCodes.ABORTED);
    expect(h.info.version).toBe(1);
  });
});

describe('precisionGate', () => {
  it('refuses a model with a lower precision@10 on the holdout than the running one, accepts an equal or better one', async () => {
    const data = checkerboard(1);
    const { train, test } = perUserSplit(data, { testFraction: 0.3, seed: 1 });
    const good = await new ImplicitALS({ factors: 4, iterations: 8, seed: 1 }).fit(train);
    const same = await new ImplicitALS({ factors: 4, iterations: 8, seed: 1 }).fit(train);
    // A model that learnt nothing: one iteration with huge regularisation ranks at random.
    const weak = await new ImplicitALS({ factors: 4, iterations: 1, regularization: 1e6, seed: 3 }).fit(train);
    const gate = precisionGate({ holdout: { train, test }, k: 10 });
    const refused = await gate(weak, good);
    expect(refused.accept).toBe(false);
    expect(refused.reason).toMatch(/^precision@10 0\.\d{4} < running model's 0\.\d{4}$/);
    expect((await gate(good, weak)).accept).toBe(true);
    expect((await gate(same, good)).accept).toBe(true);
    expect(await errorCode(() => precisionGate({ holdout: { train, test: null } } as never))).toBe(ErrorCodes.INVALID_ARGUMENT);
    expect(await errorCode(() => precisionGate({ holdout: { train, test }, margin: 2 }))).toBe(ErrorCodes.INVALID_ARGUMENT);
  });
});
