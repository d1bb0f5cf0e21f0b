/**
 * The state of an imported model: every user is scored by their vector (not
 * the cold-start fallback) with no training record, through saving, loading,
 * partial fits and forgetting; and the model file's everyUserTrained is checked.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { importFactorModel, Interactions, isMfrecError } from '../../lib/index.js';
import { decodeFactorModel, encodeFactorModel } from '../../lib/persist/factor-state.js';
import { f32, scalarF8, writeNpz } from './npz-files.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'mfrec-imported-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function imported() {
  const file = path.join(tmp, 'm.npz');
  // 3 users × 2 items, 2 factors: user 2 prefers item 1.
  writeNpz(file, {
    user_factors: f32([1, 0, 0, 1, 0.2, 0.9], [3, 2]),
    item_factors: f32([1, 0, 0, 1], [2, 2]),
    regularization: scalarF8(0.1),
    alpha: scalarF8(2),
  });
  return importFactorModel(file, { userIds: ['a', 'b', 'c'], itemIds: ['x', 'y'] });
}

describe('an imported model without training interactions', () => {
  it('scores every user it knows with their vector, in recommend, recommendBatch and recommendAll', async () => {
    const model = await imported();
    expect(model.hasUser('c')).toBe(true);
    expect(model.hasUser('nobody')).toBe(false);
    expect(model.recommend('c', { k: 2 }).map((r) => [r.item, r.source])).toEqual([
      ['y', 'model'],
      ['x', 'model'],
    ]);
    const batch = await model.recommendBatch(['a', 'nobody'], { k: 1 });
    expect(Array.from(batch.coldStart)).toEqual([0, 1]);
    expect(batch.row(0)[0]!.item).toBe('x');
    let users = 0;
    for await (const block of model.recommendAll({ k: 1, coldStart: 'error' })) users += block.users.length;
    expect(users).toBe(3);
  });

  it('keeps doing so after a partial fit and after forgetting a user', async () => {
    const model = await imported();
    await model.partialFitUsers(Interactions.fromArrays(['d'], ['y']));
    expect(model.recommend('a', { k: 1 })[0]).toMatchObject({ item: 'x', source: 'model' });
    expect(model.recommend('d', { k: 1, filterSeen: false })[0]).toMatchObject({ item: 'y', source: 'model' });
    await model.forgetUser('b');
    expect(model.recommend('c', { k: 1 })[0]).toMatchObject({ item: 'y', source: 'model' });
  });

  it('records everyUserTrained in the model file, and a file with another value is refused', async () => {
    const model = await imported();
    const contents = encodeFactorModel({ type: 'als', params: { ...model.params }, state: (model as unknown as { state: never }).state, extra: {} }, '0.0.0');
    expect(contents.header.everyUserTrained).toBe(true);
    expect(decodeFactorModel(contents, 'm.mfrec').state.everyUserTrained).toBe(true);
    const bad = { ...contents, header: { ...contents.header, everyUserTrained: 'yes' } };
    let error: unknown;
    try {
      decodeFactorModel(bad, 'bad.mfrec');
    } catch (e) {
      error = e;
    }
    expect(isMfrecError(error, 'ERR_MFREC_CORRUPT_FILE')).toBe(true);
    expect((error as Error).message).toContain('bad.mfrec');
  });
});
