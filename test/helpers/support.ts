/** Helpers shared by the model tests. */
import { expect } from 'vitest';
import { MfrecError } from '../../lib/index.js';
import type { FactorModel, FactorState } from '../../lib/models/base/factor-model.js';

/** The trained state of a model (protected in the API; tests inspect it). */
export const stateOf = (m: FactorModel): FactorState => (m as unknown as { state: FactorState }).state;

/** Replaces a model's state (tests that need factors no training would produce). */
export const setState = (m: FactorModel, s: FactorState): void => {
  (m as unknown as { state: FactorState }).state = s;
};

/** The MfrecError code a call or promise fails with, or 'no error'. */
export async function errorCode(p: Promise<unknown> | (() => unknown)): Promise<string> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    expect(e).toBeInstanceOf(MfrecError);
    return (e as MfrecError).code;
  }
  return 'no error';
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let j = 0; j < a.length; j++) worst = Math.max(worst, Math.abs(a[j]! - b[j]!));
  return worst;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j]!));
  return m;
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) s += a[j]! * b[j]!;
  return s;
}
