/**
 * The arguments every fit() checks before it takes the busy guard, so that a
 * bad argument is reported as such even while another fit runs (never as
 * ERR_MFREC_BUSY).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import { Interactions } from '../../data/interactions.js';
import { invalid, knownOptions } from '../../validate.js';
import type { FitControl } from './training.js';

/** `data` is a non-empty Interactions; `control` has only `names`, a function as onIteration and an AbortSignal as signal. */
export function checkFitArguments<C extends FitControl>(model: string, data: unknown, control: unknown, names: readonly string[]): C {
  if (!(data instanceof Interactions)) throw invalid('an Interactions object', 'data', data);
  const c = knownOptions(`${model}.fit control`, control, names) as C;
  if (c.onIteration !== undefined && typeof c.onIteration !== 'function') throw invalid('a function', 'onIteration', c.onIteration);
  if (c.signal !== undefined && !(c.signal instanceof AbortSignal)) throw invalid('an AbortSignal', 'signal', c.signal);
  if (data.nnz === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, `${model}.fit needs at least one interaction`);
  return c;
}

/** Options of partialFitUsers and partialFitItems. */
export interface PartialFitControl {
  /** Cancels the update; the promise rejects with ERR_MFREC_ABORTED and the model keeps its previous state. */
  signal?: AbortSignal;
}

/** partialFit*'s arguments, checked before the guard like fit()'s. */
export function checkPartialFitArguments(label: string, data: unknown, control: unknown): PartialFitControl {
  if (!(data instanceof Interactions)) throw invalid('an Interactions object', 'data', data);
  const c = knownOptions(`${label} control`, control, ['signal']) as PartialFitControl;
  if (c.signal !== undefined && !(c.signal instanceof AbortSignal)) throw invalid('an AbortSignal', 'signal', c.signal);
  return c;
}
