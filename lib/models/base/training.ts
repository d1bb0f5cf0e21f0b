/**
 * The training contract every model shares: fit() returns a Promise, runs the
 * kernels off the event loop one iteration at a time, reports each iteration,
 * stops early or on an AbortSignal, and only replaces the model's state once
 * training succeeded (an aborted or failed fit leaves the previous state).
 */
import { ErrorCodes, MfrecError } from '../../errors.js';
import { invalid } from '../../validate.js';

/** What a model reports after each iteration (epoch for SGD/BPR, sweep for ALS). */
export interface IterationReport {
  /** 1-based iteration number. */
  iteration: number;
  /** Wall-clock seconds this iteration took. */
  seconds: number;
  /** Training loss or RMSE when the model computes one (see the model's docs). */
  trainLoss?: number;
  /** Train RMSE (explicit models). */
  trainRmse?: number;
  /** Validation RMSE when a validation set was given (explicit models). */
  validationRmse?: number;
}

/** Options every fit() takes besides the model's hyperparameters. */
export interface FitControl {
  /** Called after each iteration, on the event loop. An exception thrown here aborts the fit. */
  onIteration?: (report: IterationReport) => void;
  /** Cancels training; fit() then rejects with ERR_MFREC_ABORTED and the model keeps its previous state. */
  signal?: AbortSignal;
}

/**
 * A cancellation flag shared with the native kernels: an Int32Array(1) that
 * is set to 1 when the signal aborts, read by the kernels between blocks of work.
 */
export class CancelFlag {
  readonly array = new Int32Array(1);
  private readonly signal: AbortSignal | undefined;
  private readonly onAbort = () => {
    this.array[0] = 1;
  };

  constructor(signal?: AbortSignal) {
    this.signal = signal;
    if (signal !== undefined) {
      if (!(signal instanceof AbortSignal)) throw invalid('an AbortSignal', 'signal', signal);
      if (signal.aborted) this.array[0] = 1;
      else signal.addEventListener('abort', this.onAbort, { once: true });
    }
  }

  get aborted(): boolean {
    return this.array[0] !== 0;
  }

  throwIfAborted(): void {
    if (this.aborted) throw new MfrecError(ErrorCodes.ABORTED, 'The operation was aborted');
  }

  dispose(): void {
    this.signal?.removeEventListener('abort', this.onAbort);
  }
}

/**
 * Runs asynchronous work under an optional AbortSignal: rejects with
 * ERR_MFREC_ABORTED when the signal is (or becomes) aborted before the work
 * settles, handing the work the flag the native kernels poll. The one
 * cancellation idiom of calls that do not train (training holds its own
 * CancelFlag for the whole fit).
 */
export async function cancellable<T>(signal: AbortSignal | undefined, work: (cancel: CancelFlag) => Promise<T>): Promise<T> {
  const cancel = new CancelFlag(signal);
  try {
    cancel.throwIfAborted();
    const result = await work(cancel);
    // An abort that arrives after the kernel finished still wins: the caller asked to stop.
    cancel.throwIfAborted();
    return result;
  } finally {
    cancel.dispose();
  }
}

/**
 * Lets timers, I/O and abort events run: synchronous work on the event loop
 * (a twin's epoch, a batch of fold-ins) awaits this between its pieces, then
 * checks its cancel flag, so an abort is seen as with the native kernels.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** {@link nextTurn}, then ERR_MFREC_ABORTED if `cancel` was set meanwhile. */
export async function yieldTurn(cancel: CancelFlag): Promise<void> {
  await nextTurn();
  cancel.throwIfAborted();
}

/** Whether every entry of every array is finite (the divergence check of every model). */
export function allFinite(...arrays: ArrayLike<number>[]): boolean {
  for (const a of arrays) for (let j = 0; j < a.length; j++) if (!Number.isFinite(a[j]!)) return false;
  return true;
}

/**
 * Guards a model against overlapping work: a second fit() while one runs is
 * refused with ERR_MFREC_BUSY (reading calls keep serving the previous state).
 */
export class BusyGuard {
  private running: Promise<unknown> | undefined;

  get busy(): boolean {
    return this.running !== undefined;
  }

  async run<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.running !== undefined) {
      throw new MfrecError(ErrorCodes.BUSY, `Cannot ${what}: the model is already training`);
    }
    const p = work();
    this.running = p;
    try {
      return await p;
    } finally {
      this.running = undefined;
    }
  }

  /** Resolves once in-flight work has settled (dispose uses it). */
  async idle(): Promise<void> {
    while (this.running !== undefined) await this.running.catch(() => undefined);
  }
}

/**
 * Runs `iterations` steps with reporting, early stopping and cancellation.
 * `step` does one iteration and returns its report fields; `stop` decides
 * after each report whether to end early.
 */
export async function runIterations(
  iterations: number,
  control: FitControl,
  cancel: CancelFlag,
  step: (iteration: number) => Promise<Omit<IterationReport, 'iteration' | 'seconds'>>,
  stop: (report: IterationReport) => boolean = () => false,
): Promise<IterationReport[]> {
  const reports: IterationReport[] = [];
  for (let it = 1; it <= iterations; it++) {
    cancel.throwIfAborted();
    const start = process.hrtime.bigint();
    const fields = await step(it);
    cancel.throwIfAborted();
    const report: IterationReport = { iteration: it, seconds: Number(process.hrtime.bigint() - start) / 1e9, ...fields };
    reports.push(report);
    control.onIteration?.(report);
    if (stop(report)) break;
  }
  return reports;
}
