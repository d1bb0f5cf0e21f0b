/**
 * The storefront demo's model: implicit ALS trained on the shipped Online
 * Retail purchases, with each product's name as item metadata (so the
 * service's answers carry names), saved in a cache folder and reused by
 * later starts of the same package version on the same data file (a start
 * then takes about a second instead of a training run).
 */
import { mkdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { demoDataPath } from '../../data/demo-data.js';
import { ErrorCodes, MfrecError } from '../../errors.js';
import { ImplicitALS } from '../../models/als/implicit-als.js';
import { packageVersion } from '../../version.js';
import { ModelHandle } from '../model-handle.js';
import type { DemoShop } from './demo-shop.js';

/** `$XDG_CACHE_HOME/mfrec`, else `~/.cache/mfrec`. */
export function defaultDemoCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache');
  return path.join(base, 'mfrec');
}

/** The cache file's name names what it was trained from: a new version or another data file trains again. */
async function cacheFile(cacheDir: string): Promise<string> {
  const data = await stat(demoDataPath());
  return path.join(cacheDir, `storefront-als-${packageVersion()}-${data.size}.mfrec`);
}

export interface DemoModel {
  handle: ModelHandle;
  /** True when this start trained the model, false when it came from the cache. */
  trained: boolean;
}

/**
 * Opens the cached demo model, or trains, saves (atomically) and opens one
 * when there is none or the cached file fails its checks.
 */
export async function openDemoModel(shop: DemoShop, cacheDir: string = defaultDemoCacheDir()): Promise<DemoModel> {
  try {
    await mkdir(cacheDir, { recursive: true });
  } catch (e) {
    throw new MfrecError(ErrorCodes.IO, `Cannot create the demo model cache folder ${cacheDir}: ${(e as Error).message}`, { cause: e });
  }
  const file = await cacheFile(cacheDir);
  const cached = await ModelHandle.open(file, { expectedType: 'als' }).catch(() => undefined);
  if (cached !== undefined && hasNames(cached, shop)) return { handle: cached, trained: false };
  // Missing, damaged, or saved without the names: train it again (save() replaces the file atomically).
  await cached?.close();
  const model = new ImplicitALS({ seed: 1 });
  try {
    await model.fit(shop.purchases);
    model.setItemMetadata(new Map(Array.from(shop.names, ([item, name]) => [item, { name }])));
    await model.save(file);
  } finally {
    await model.dispose();
  }
  return { handle: await ModelHandle.open(file, { expectedType: 'als' }), trained: true };
}

/** Whether the cached model carries the product names (a file from before they were attached does not). */
function hasNames(handle: ModelHandle, shop: DemoShop): boolean {
  const [item, name] = shop.names.entries().next().value ?? [];
  return item === undefined || handle.model.itemMetadata(item)?.name === name;
}
