/**
 * The model a service answers with, owned in one place: opened and reloaded
 * off the main thread (read-off-thread.ts), checked (checksum, structure,
 * optional expected type, optional promotion gate), swapped in one
 * assignment, and the old model disposed once the requests that hold it are
 * done (generation.ts). A file that fails any check is refused and the
 * running model keeps serving. Events: 'reload' (ModelInfo of the new
 * model), 'refused' ({ file, error }), 'disposed' (ModelInfo of a retired model).
 */
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { LoadedModel } from '../persist/load-model.js';
import { MODEL_TYPES, type ModelType } from '../models/registry.js';
import { boolean, integer, invalid, knownOptions, oneOf } from '../validate.js';
import { Generation, type ModelInfo, type ModelLease } from './generation.js';
import { readModelOffThread, type ReadModel } from './read-off-thread.js';
import { watchFile, type FileWatch } from './watch-file.js';

export type { ModelInfo, ModelLease } from './generation.js';

/** A gate's verdict on a candidate model; `reason` is reported with a refusal (and an acceptance). */
export interface GateVerdict {
  accept: boolean;
  reason?: string;
}

/** Decides whether `candidate` may replace `current` (both usable during the call). */
export type PromotionGate = (candidate: LoadedModel, current: LoadedModel) => Promise<GateVerdict> | GateVerdict;

export interface ModelHandleOptions {
  /** The model type the file must hold; another type is refused. */
  expectedType?: ModelType;
  /** Checked before each swap (not for the first model): a refusal keeps the running model. */
  gate?: PromotionGate;
  /** Reload when the file is replaced (save() over it, a copy). Default false. */
  watch?: boolean;
  /** Milliseconds of quiet after the last change before reloading. Default 200. */
  debounceMs?: number;
}

/** What a reload did: swapped in a new model, or found the same file (same checksum) and kept the running one. */
export type ReloadOutcome = { status: 'swapped'; info: ModelInfo } | { status: 'unchanged'; info: ModelInfo };

export interface Refusal {
  file: string;
  error: MfrecError;
  /** ISO time of the refusal. */
  at: string;
}

const OPTION_NAMES = ['expectedType', 'gate', 'watch', 'debounceMs'] as const;

export class ModelHandle extends EventEmitter {
  private current: Generation;
  private readonly retiring = new Set<Generation>();
  private queue: Promise<unknown> = Promise.resolve();
  private watcher: FileWatch | undefined;
  private closed = false;
  /** Models refused since the handle opened. */
  refusals = 0;
  /** The last refusal, kept for health and debugging. */
  lastRefusal: Refusal | undefined;

  private constructor(
    readonly file: string,
    private readonly options: { expectedType: ModelType | undefined; gate: PromotionGate | undefined },
    first: ReadModel,
  ) {
    super();
    this.current = this.generation(1, first);
  }

  /**
   * Loads `file` (off the main thread) and serves it. A bad file rejects
   * with its typed error (CORRUPT_FILE, BAD_MAGIC, IO...): there is no model
   * to fall back on yet.
   */
  static async open(file: string, options: ModelHandleOptions = {}): Promise<ModelHandle> {
    if (typeof file !== 'string' || file === '') throw invalid('a model file path', 'file', file);
    const o = knownOptions('ModelHandle.open', options, OPTION_NAMES);
    const expectedType = o.expectedType === undefined ? undefined : oneOf('expectedType', o.expectedType, MODEL_TYPES);
    if (o.gate !== undefined && typeof o.gate !== 'function') throw invalid('a function (candidate, current) => verdict', 'gate', o.gate);
    const watch = o.watch === undefined ? false : boolean('watch', o.watch);
    const debounceMs = o.debounceMs === undefined ? 200 : integer('debounceMs', o.debounceMs, 0, 60_000);
    const path = resolve(file);
    const read = await readModelOffThread(path, expectedType);
    const handle = new ModelHandle(path, { expectedType, gate: o.gate as PromotionGate | undefined }, read);
    if (watch) handle.startWatching(debounceMs);
    return handle;
  }

  /** The model serving now. Take a lease (acquire/use) to keep it across an await. */
  get model(): LoadedModel {
    return this.current.model;
  }

  get info(): ModelInfo {
    return this.current.info;
  }

  /** Holds the current model until release(): a swap meanwhile does not dispose it. */
  acquire(): ModelLease {
    if (this.closed) throw new MfrecError(ErrorCodes.NOT_FITTED, `The model handle of ${this.file} is closed`);
    return this.current.lease();
  }

  /** Runs `fn` with the current model held for its whole duration. */
  async use<T>(fn: (model: LoadedModel, info: ModelInfo) => T | Promise<T>): Promise<T> {
    const lease = this.acquire();
    try {
      return await fn(lease.model, lease.info);
    } finally {
      lease.release();
    }
  }

  /** Models retired by a swap and not yet disposed (their requests still run). */
  get retiredInUse(): number {
    return this.retiring.size;
  }

  /**
   * Reads the file again and swaps it in if it passes every check. Reloads
   * run one at a time, in call order. A refused file rejects with its typed
   * error (the gate's refusal: ERR_MFREC_REFUSED), is counted, recorded in
   * lastRefusal and emitted as 'refused'; the running model keeps serving.
   */
  reload(): Promise<ReloadOutcome> {
    const next = this.queue.then(() => this.reloadNow());
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Stops watching and disposes the models once their requests are done; resolves when they are. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watcher?.close();
    await this.queue;
    const all = [...this.retiring, this.current];
    this.current.retire();
    await Promise.all(all.map((g) => g.whenDisposed()));
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    if (this.closed) throw new MfrecError(ErrorCodes.NOT_FITTED, `The model handle of ${this.file} is closed`);
    try {
      const read = await readModelOffThread(this.file, this.options.expectedType);
      if (read.checksum === this.current.info.checksum) {
        await read.model.dispose();
        return { status: 'unchanged', info: this.current.info };
      }
      await this.checkGate(read.model);
      const previous = this.current;
      const next = this.generation(previous.info.version + 1, read);
      this.current = next;
      this.retiring.add(previous);
      previous.retire();
      this.emit('reload', next.info);
      return { status: 'swapped', info: next.info };
    } catch (e) {
      const error = e instanceof MfrecError ? e : new MfrecError(ErrorCodes.IO, `${this.file}: ${(e as Error).message}`, { cause: e });
      this.refusals++;
      this.lastRefusal = { file: this.file, error, at: new Date().toISOString() };
      this.emit('refused', this.lastRefusal);
      throw error;
    }
  }

  private async checkGate(candidate: LoadedModel): Promise<void> {
    const gate = this.options.gate;
    if (gate === undefined) return;
    const lease = this.current.lease();
    let verdict: GateVerdict;
    try {
      verdict = await gate(candidate, lease.model);
    } catch (e) {
      await candidate.dispose();
      throw new MfrecError(ErrorCodes.REFUSED, `${this.file}: the promotion gate failed: ${(e as Error).message}`, { cause: e });
    } finally {
      lease.release();
    }
    if (verdict === null || typeof verdict !== 'object' || typeof verdict.accept !== 'boolean') {
      await candidate.dispose();
      throw new MfrecError(ErrorCodes.REFUSED, `${this.file}: the promotion gate returned ${JSON.stringify(verdict)}, not { accept, reason? }`);
    }
    if (!verdict.accept) {
      await candidate.dispose();
      throw new MfrecError(ErrorCodes.REFUSED, `${this.file}: refused by the promotion gate${verdict.reason ? `: ${verdict.reason}` : ''}`);
    }
  }

  private generation(version: number, read: ReadModel): Generation {
    const info: ModelInfo = { version, checksum: read.checksum, type: read.model.type, file: this.file, bytes: read.bytes, loadedAt: new Date().toISOString() };
    return new Generation(read.model, info, (g) => {
      this.retiring.delete(g);
      this.emit('disposed', g.info);
    });
  }

  private startWatching(debounceMs: number): void {
    this.watcher = watchFile(
      this.file,
      debounceMs,
      // A refusal is already counted and emitted: the watch has nobody else to tell.
      () => void this.reload().catch(() => undefined),
      (e) => this.emit('watchError', e),
    );
  }
}
