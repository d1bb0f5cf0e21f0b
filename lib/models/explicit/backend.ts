/**
 * The two interchangeable implementations of the explicit-rating SGD calls:
 * the native binding and the pure-TypeScript twin behind the same interface,
 * so ExplicitMF's training loop does not care which one runs its epochs.
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import { sgdEpoch, sgdLayout, sgdPredict } from '../../twins/sgd.js';
import { sgdNative, type SgdBinding } from '../../addon/sgd.js';

/** Lets timers, I/O and abort events run between two synchronous epochs. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * The twin as an SgdBinding. Each epoch first yields the event loop (an epoch
 * itself blocks it: the twin is synchronous), then honours the cancel flag as
 * the kernel does, so an abort between epochs never starts another one.
 */
const twinBinding: SgdBinding = {
  sgdLayout(users, items, ratings, options, grid) {
    return Promise.resolve().then(() => sgdLayout(users, items, ratings, options, grid));
  },
  async sgdEpoch(grid, model, step, cancel) {
    await nextTurn();
    if (cancel !== undefined && cancel[0] !== 0) throw new MfrecError(ErrorCodes.ABORTED, 'The operation was aborted');
    return sgdEpoch(grid, model, step);
  },
  sgdPredict(model, users, items, out, options) {
    return sgdPredict(model, users, items, out, options);
  },
};

export function sgdBackend(backend: 'native' | 'js'): SgdBinding {
  return backend === 'js' ? twinBinding : sgdNative();
}
