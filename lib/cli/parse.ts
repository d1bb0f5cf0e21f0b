/** Typed parsers for CLI option values: a bad value is a one-line usage error naming the flag. */
import { InvalidArgumentError } from 'commander';

export function intArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer ${max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`}, got '${value}'`);
    }
    return n;
  };
}

export function numberArg(min = -Infinity) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n < min) {
      throw new InvalidArgumentError(`expected a finite number${min > -Infinity ? ` >= ${min}` : ''}, got '${value}'`);
    }
    return n;
  };
}

/** A column given by name or 0-based position. */
export function columnArg(value: string): string | number {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** `--shard i/n`: this process handles users whose index modulo n equals i-1 (1-based i). */
export function shardArg(value: string): { index: number; count: number } {
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new InvalidArgumentError(`expected i/n with 1 <= i <= n (e.g. 2/8), got '${value}'`);
  }
  return { index: index - 1, count };
}

/** A share strictly between 0 and 1 (a test fraction: both sides of a split keep something). */
export function fractionArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InvalidArgumentError(`expected a number strictly between 0 and 1, got '${value}'`);
  }
  return n;
}
