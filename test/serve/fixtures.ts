/** Small trained models saved to a temporary folder, for the service tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ImplicitALS, BPR } from '../../lib/index.js';
import { checkerboard } from '../helpers/implicit-data.js';

export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'mfrec-serve-'));
}

/** An ALS model of the checkerboard data (users u0..u39, items a0..a9, b0..b9); `seed` changes its factors. */
export async function trainedAls(seed = 1, factors = 4): Promise<ImplicitALS> {
  return new ImplicitALS({ factors, iterations: 5, seed }).fit(checkerboard(1));
}

export async function trainedBpr(seed = 1): Promise<BPR> {
  return new BPR({ factors: 4, iterations: 5, seed }).fit(checkerboard(1));
}

/** Saves an ALS model to `dir/name` and returns the path. */
export async function savedAls(dir: string, name = 'model.mfrec', seed = 1): Promise<string> {
  const file = path.join(dir, name);
  await (await trainedAls(seed)).save(file);
  return file;
}

/** Resolves with the next `event` the emitter sends. */
export function nextEvent<T = unknown>(emitter: NodeJS.EventEmitter, event: string): Promise<T> {
  return new Promise((resolve) => emitter.once(event, resolve));
}
