/**
 * The pieces of `mfrec serve --demo` without a browser: the demo shop read
 * from the shipped data, the model cache (trained once, reused, retrained
 * when damaged) and the demo routes.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDemoModel } from '../../lib/serve/demo/demo-model.js';
import { loadDemoShop, type DemoShop } from '../../lib/serve/demo/demo-shop.js';
import { createStorefront, type Storefront } from '../../lib/serve/demo/storefront-server.js';
import { tempDir, trainedAls } from './fixtures.js';

describe('the demo storefront', () => {
  let shop: DemoShop;
  let cacheDir: string;
  let store: Storefront;

  beforeAll(async () => {
    shop = await loadDemoShop();
    cacheDir = tempDir();
    store = await createStorefront({ cacheDir, shop });
  }, 120_000);

  afterAll(async () => {
    await store?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  it('offers 24 customers with 15+ products, and a history of each, most-ordered first, with product names', () => {
    expect(shop.customers).toHaveLength(24);
    expect(new Set(shop.customers.map((c) => c.customer)).size).toBe(24);
    for (const c of shop.customers) expect(c.products).toBeGreaterThanOrEqual(15);
    const { customer, products } = shop.customers[0]!;
    const history = shop.history(customer);
    expect(history).toHaveLength(Math.min(products, 50));
    for (let j = 1; j < history.length; j++) expect(history[j - 1]!.orders).toBeGreaterThanOrEqual(history[j]!.orders);
    for (const b of history) {
      expect(b.name).toBe(shop.names.get(b.item));
      expect(b.lastBought).toMatch(/^201[01]-\d\d-\d\d$/);
    }
    expect(shop.names.get('85123A')).toBe('WHITE HANGING HEART T-LIGHT HOLDER');
  });

  it('trains the model on the first start and reads it from the cache afterwards', async () => {
    expect(store.model.trained).toBe(true);
    expect(path.dirname(store.model.handle.file)).toBe(cacheDir);
    const again = await openDemoModel(shop, cacheDir);
    try {
      expect(again.trained).toBe(false);
      expect(again.handle.info.checksum).toBe(store.model.handle.info.checksum);
    } finally {
      await again.handle.close();
    }
  });

  it('trains again when the cached file is damaged, and replaces it', async () => {
    const dir = tempDir();
    try {
      const first = await openDemoModel(shop, dir);
      const file = first.handle.file;
      await first.handle.close();
      const bytes = readFileSync(file);
      bytes[bytes.length >> 1] ^= 0xff;
      writeFileSync(file, bytes);
      const second = await openDemoModel(shop, dir);
      try {
        expect(second.trained).toBe(true);
        expect(second.handle.model.recommend(shop.customers[0]!.customer, { k: 3 })).toHaveLength(3);
      } finally {
        await second.handle.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('trains again when the cached file holds a model without the product names', async () => {
    const dir = tempDir();
    try {
      const first = await openDemoModel(shop, dir);
      const file = first.handle.file;
      await first.handle.close();
      await (await trainedAls()).save(file);
      const second = await openDemoModel(shop, dir);
      try {
        expect(second.trained).toBe(true);
        expect(second.handle.model.itemMetadata('85123A')).toEqual({ name: 'WHITE HANGING HEART T-LIGHT HOLDER' });
      } finally {
        await second.handle.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('a cache folder that cannot be made is an IO error naming it', async () => {
    const dir = tempDir();
    try {
      const blocker = path.join(dir, 'a-file');
      writeFileSync(blocker, '');
      const cache = path.join(blocker, 'cache');
      await expect(openDemoModel(shop, cache)).rejects.toMatchObject({
        code: 'ERR_MFREC_IO',
        message: expect.stringContaining(`Cannot create the demo model cache folder ${cache}:`),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the page files, the customers and a history, nothing else from the folder; answers carry product names', async () => {
    const inject = (url: string) => store.app.inject({ method: 'GET', url });
    for (const [url, type] of [
      ['/', 'text/html'],
      ['/storefront.css', 'text/css'],
      ['/storefront.js', 'text/javascript'],
    ] as const) {
      const r = await inject(url);
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type'], url).toMatch(new RegExp(`^${type}`));
    }
    expect((await inject('/index.html')).statusCode).toBe(404);
    expect((await inject('/%2e%2e/%2e%2e/package.json')).statusCode).toBe(404);
    expect((await inject('/demo/customers')).json()).toEqual({ customers: shop.customers });
    const customer = shop.customers[3]!.customer;
    expect((await inject(`/demo/customers/${customer}/history`)).json()).toEqual({ customer, items: shop.history(customer) });
    // The service's own routes run beside them, on the demo's model, whose item metadata holds the product names.
    const rec = (await inject(`/recommend/${customer}?k=5`)).json() as { items: Array<{ item: string; name: string }>; model: { type: string } };
    expect(rec.items).toHaveLength(5);
    expect(rec.model.type).toBe('als');
    for (const r of rec.items) expect(r.name).toBe(shop.names.get(r.item));
    expect((await inject('/items/85123A')).json()).toMatchObject({ item: '85123A', metadata: { name: 'WHITE HANGING HEART T-LIGHT HOLDER' } });
  });
});
