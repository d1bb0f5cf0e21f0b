/**
 * A native call that fails on a worker thread rejects from a libuv callback:
 * lib/addon gives that error the stack of the JavaScript call that asked for
 * the work, so it names the caller's file and line.
 */
import { describe, expect, it } from 'vitest';
import { bprBinding, type BprEpochArgs } from '../../lib/addon/bpr.js';
import { sgdBinding, allocateGrid } from '../../lib/addon/sgd.js';
import { MfrecError } from '../../lib/errors.js';
import { BINDINGS } from '../helpers/native-garbage.js';

/** The garbage battery's valid BPR epoch (a 3 × 4 CSR), with its cancel flag set: the kernel rejects. */
function abortedBprArgs(): BprEpochArgs {
  const [args] = BINDINGS.bprEpoch!() as [BprEpochArgs];
  return { ...args, cancel: Int32Array.of(1) };
}

async function rejection(p: Promise<unknown>): Promise<MfrecError> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(MfrecError);
  return e as MfrecError;
}

describe('native rejections carry the caller stack', () => {
  it('an aborted BPR epoch names this file', async () => {
    const e = await rejection(bprBinding().bprEpoch(abortedBprArgs()));
    expect(e.code).toBe('ERR_MFREC_ABORTED');
    expect(e.stack).toContain('addon-caller-stack.test.ts');
    expect(e.stack?.split('\n')[0]).toBe(`${e.name}: ${e.message}`);
  });

  it('an SGD epoch refused on the worker (an index out of range) names this file', async () => {
    const grid = allocateGrid(2, 1);
    grid.users.set([0, 999]);
    grid.items.set([0, 1]);
    grid.ratings.set([3, 4]);
    grid.blockPtr.set([0, 2]);
    const model = {
      factors: 2,
      globalBias: 3,
      userFactors: new Float32Array(4),
      itemFactors: new Float32Array(4),
      userBias: new Float32Array(2),
      itemBias: new Float32Array(2),
    };
    const step = { learningRate: 0.01, regularization: 0.1, biasRegularization: 0.1, threads: 1, seed: 1, epoch: 0 };
    const e = await rejection(sgdBinding().sgdEpoch(grid, model, step));
    expect(e.code).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(e.stack).toContain('addon-caller-stack.test.ts');
  });
});
