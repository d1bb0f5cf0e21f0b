/**
 * `mfrec serve --demo`: the recommendation service on the demo's model plus
 * the storefront page, in one fastify server.
 */
import type { FastifyInstance } from 'fastify';
import { createServer } from '../server.js';
import { openDemoModel, type DemoModel } from './demo-model.js';
import { loadDemoShop, type DemoShop } from './demo-shop.js';
import { registerStorefront } from './storefront-routes.js';

export interface Storefront {
  app: FastifyInstance;
  shop: DemoShop;
  model: DemoModel;
  /** Closes the server, then the model handle. */
  close(): Promise<void>;
}

export interface StorefrontOptions {
  /** Folder of the cached model (default: defaultDemoCacheDir()). */
  cacheDir?: string;
  /** The shop to show, when already read (default: loadDemoShop()). */
  shop?: DemoShop;
}

/** Reads the demo data, opens (or trains) the model and builds the server; the caller listens. */
export async function createStorefront(options: StorefrontOptions = {}): Promise<Storefront> {
  const shop = options.shop ?? (await loadDemoShop());
  const model = await openDemoModel(shop, options.cacheDir);
  const app = await createServer({ handle: model.handle });
  try {
    await registerStorefront(app, shop);
  } catch (e) {
    await app.close();
    await model.handle.close();
    throw e;
  }
  return {
    app,
    shop,
    model,
    close: async () => {
      await app.close();
      await model.handle.close();
    },
  };
}
