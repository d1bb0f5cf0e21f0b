/**
 * The models a worker holds: loaded once per (path, checksum) and shared by
 * the shards that use it at the same time, dropped only when no running
 * shard uses it any more and another model is wanted (a worker with
 * --concurrency may serve shards of several jobs at once). A load that fails
 * is not kept: the next shard tries again.
 */
import type { LoadedModel } from '../persist/load-model.js';
import { loadVerifiedModel } from './model-checksum.js';

interface Held {
  model: Promise<LoadedModel>;
  /** Shards running with it now. */
  users: number;
}

const held = new Map<string, Held>();

/** Runs `use` with the model at `path` (checked against `checksum`), loading it unless a shard already has. */
export async function withModel<T>(path: string, checksum: string, use: (model: LoadedModel) => Promise<T>): Promise<T> {
  const key = `${path}\0${checksum}`;
  let entry = held.get(key);
  if (entry === undefined) {
    entry = { model: loadVerifiedModel(path, checksum), users: 0 };
    held.set(key, entry);
  }
  entry.users++;
  try {
    let model: LoadedModel;
    try {
      model = await entry.model;
    } catch (e) {
      if (held.get(key) === entry) held.delete(key);
      throw e;
    }
    return await use(model);
  } finally {
    entry.users--;
    // Memory stays at the models in use plus this one, kept for the job's next shard.
    for (const [other, e] of held) {
      if (other !== key && e.users === 0) {
        held.delete(other);
        void e.model.then(
          (m) => m.dispose(),
          () => undefined,
        );
      }
    }
  }
}
