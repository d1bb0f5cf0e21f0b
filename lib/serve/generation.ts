/**
 * One model a handle has served, with its users: each request holds a lease
 * for as long as it works with the model, so a swap never pulls a model from
 * under a request. A retired generation is disposed once its last lease is
 * released.
 */
import type { LoadedModel } from '../persist/load-model.js';

/** What identifies the model being served; `version` counts the models this handle has installed, from 1. */
export interface ModelInfo {
  version: number;
  /** The model file's CRC-32, 8 hex digits. */
  checksum: string;
  type: string;
  file: string;
  bytes: number;
  /** ISO time at which this model started serving. */
  loadedAt: string;
}

/** A request's hold on one model: call release() once done (a second call does nothing). */
export interface ModelLease {
  readonly model: LoadedModel;
  readonly info: ModelInfo;
  release(): void;
}

export class Generation {
  private users = 0;
  private retired = false;
  private disposing: Promise<void> | undefined;
  /** Settles once the model is disposed, whenever that is (the last lease may be released much later). */
  private readonly disposed: Promise<void>;
  private markDisposed!: () => void;

  constructor(
    readonly model: LoadedModel,
    readonly info: ModelInfo,
    private readonly onDisposed: (generation: Generation) => void,
  ) {
    this.disposed = new Promise((resolve) => (this.markDisposed = resolve));
  }

  /** Leases still held. */
  get inUse(): number {
    return this.users;
  }

  lease(): ModelLease {
    this.users++;
    let released = false;
    return {
      model: this.model,
      info: this.info,
      release: () => {
        if (released) return;
        released = true;
        this.users--;
        this.disposeIfIdle();
      },
    };
  }

  /** No new leases will be taken (a newer model serves); dispose once the held ones are released. */
  retire(): void {
    this.retired = true;
    this.disposeIfIdle();
  }

  /** Resolves once retired and disposed: after the last lease is released. */
  whenDisposed(): Promise<void> {
    return this.disposed;
  }

  private disposeIfIdle(): void {
    if (!this.retired || this.users > 0 || this.disposing) return;
    // dispose() only waits for a running fit to settle; a failure there still ends this model's service.
    this.disposing = this.model
      .dispose()
      .catch(() => undefined)
      .then(() => {
        this.onDisposed(this);
        this.markDisposed();
      });
  }
}
