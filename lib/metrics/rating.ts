/**
 * Rating-prediction error metrics over parallel arrays of predicted and
 * actual values. Sums run in double precision.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid } from '../validate.js';

function checkPair(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  for (const [name, a] of [
    ['predicted', predicted],
    ['actual', actual],
  ] as const) {
    if (a === null || typeof a !== 'object' || typeof (a as ArrayLike<number>).length !== 'number') {
      throw invalid('an array of numbers', name, a);
    }
  }
  if (predicted.length !== actual.length) {
    throw invalid(`actual of length ${predicted.length} (the length of predicted)`, 'actual', actual);
  }
  if (predicted.length === 0) throw new MfrecError(ErrorCodes.EMPTY_DATA, 'Cannot compute an error over 0 ratings');
  return predicted.length;
}

function sumOf(predicted: ArrayLike<number>, actual: ArrayLike<number>, term: (d: number) => number): number {
  const n = checkPair(predicted, actual);
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const p = predicted[k];
    const a = actual[k];
    if (typeof p !== 'number' || Number.isNaN(p)) throw invalid('a number', `predicted[${k}]`, p);
    if (typeof a !== 'number' || Number.isNaN(a)) throw invalid('a number', `actual[${k}]`, a);
    sum += term(p - a);
  }
  return sum / n;
}

/** Root mean squared error: sqrt(mean((predicted - actual)²)). */
export function rmse(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  return Math.sqrt(sumOf(predicted, actual, (d) => d * d));
}

/** Mean absolute error: mean(|predicted - actual|). */
export function mae(predicted: ArrayLike<number>, actual: ArrayLike<number>): number {
  return sumOf(predicted, actual, Math.abs);
}
