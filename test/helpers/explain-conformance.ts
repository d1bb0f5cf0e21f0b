/**
 * The explain() part of the conformance suite: a family that declares
 * `explain` splits every score exactly into base + the contributions of the
 * user's training items (summing to the score recommend ranks: the item-to-item
 * score, or the fold-in score of the training history for factor models);
 * the others refuse with a typed error.
 */
import { describe, expect, it } from 'vitest';
import type { Interactions } from '../../lib/data/interactions.js';
import type { ConformanceCapabilities, CreateModel, TrainableFactorModel } from './conformance.js';

export interface ExplainContext {
  create: CreateModel;
  capabilities: ConformanceCapabilities;
  data: Interactions;
  model: () => TrainableFactorModel;
  codeOf: (call: () => unknown) => Promise<string | undefined>;
}

/** User `user`'s training history, as recalculate's interactions. */
function trainingHistory(data: Interactions, user: string): { items: string[]; values: number[] } {
  const d = data.byUser;
  const u = data.users.index(user)!;
  const items = Array.from(d.indices.subarray(d.indptr[u]!, d.indptr[u + 1]!), (i) => String(data.items.id(i)));
  return { items, values: Array.from(d.values.subarray(d.indptr[u]!, d.indptr[u + 1]!)) };
}

const close = (got: number, want: number, label: string) => expect(Math.abs(got - want), label).toBeLessThanOrEqual(1e-4 * Math.max(1, Math.abs(want)));

export function describeExplain(c: ExplainContext): void {
  const { capabilities, data, codeOf } = c;

  describe('explain', () => {
    it('declares its capability as the suite expects', () => {
      expect(c.model().supportsExplain).toBe(capabilities.explain);
    });

    if (!capabilities.explain) {
      it('refuses explain with ERR_MFREC_INVALID_ARGUMENT saying why', async () => {
        expect(await codeOf(() => c.model().explain('u0', 'a7'))).toBe('ERR_MFREC_INVALID_ARGUMENT');
        expect(() => c.model().explain('u0', 'a7')).toThrow(/cannot explain/);
      });
      return;
    }

    it('the contributions of the training items sum to the score recommend ranks, for every user and item', () => {
      const model = c.model();
      for (const user of ['u0', 'u5', 'u13', 'u23']) {
        const history = trainingHistory(data, user);
        const reference = capabilities.vectors
          ? model.recommend(user, { recalculate: true, interactions: history, k: data.nItems, filterSeen: false })
          : undefined;
        const scores = model.scoreItems(user)!;
        model.itemIds.forEach((item, i) => {
          const e = model.explain(user, item, { n: 1000 });
          const label = `${user} ${item}`;
          expect(e.user).toBe(user);
          expect(e.item).toBe(item);
          expect(e.historySize).toBe(history.items.length);
          expect(e.contributions.map((x) => x.item).sort()).toEqual([...history.items].sort());
          expect(e.rest).toBe(0);
          const sum = e.contributions.reduce((s, x) => s + x.contribution, e.base);
          close(sum, e.score, label);
          close(e.score, reference ? reference.find((r) => r.item === item)!.score : scores[i]!, label);
          for (let j = 1; j < e.contributions.length; j++) {
            expect(e.contributions[j - 1]!.contribution, label).toBeGreaterThanOrEqual(e.contributions[j]!.contribution);
          }
        });
      }
    });

    it('n lists the largest contributions; rest holds the others, so the sum stays the score', () => {
      const model = c.model();
      const all = model.explain('u3', 'a7', { n: 1000 });
      const top = model.explain('u3', 'a7', { n: 2 });
      expect(top.contributions).toEqual(all.contributions.slice(0, 2));
      expect(top.score).toBe(all.score);
      close(top.base + top.contributions[0]!.contribution + top.contributions[1]!.contribution + top.rest, top.score, 'sum with rest');
      expect(model.explain('u3', 'a7').contributions).toHaveLength(Math.min(10, all.historySize));
    });

    it('refuses unknown ids, cold users, bad options and an untrained model with stable codes', async () => {
      const model = c.model();
      expect(await codeOf(() => model.explain('stranger', 'a0'))).toBe('ERR_MFREC_UNKNOWN_ID');
      expect(await codeOf(() => model.explain('u0', 'no-such-item'))).toBe('ERR_MFREC_UNKNOWN_ID');
      expect(await codeOf(() => model.explain({} as never, 'a0'))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => model.explain('u0', NaN))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => model.explain('u0', 'a0', { n: 0 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => model.explain('u0', 'a0', { n: 1.5 }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
      expect(await codeOf(() => model.explain('u0', 'a0', { m: 1 } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
      expect(await codeOf(() => c.create({ threads: 1, seed: 1 }).explain('u0', 'a0'))).toBe('ERR_MFREC_NOT_FITTED');
    });
  });
}
