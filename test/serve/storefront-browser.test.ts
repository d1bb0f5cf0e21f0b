/**
 * The storefront of `mfrec serve --demo` in headless Chromium (Debian's
 * /usr/bin/chromium, driven by playwright-core; nothing is downloaded), on
 * the real demo server (shipped Online Retail data, ALS model): a person's
 * clicks, each checked against the service's own JSON answers. Screenshots
 * go to test-output/. Skipped where Chromium is not installed (failing
 * instead under CI's MFREC_REQUIRE_SERVERS=1), like the report's browser test.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoShop, type DemoShop } from '../../lib/serve/demo/demo-shop.js';
import { createStorefront, type Storefront } from '../../lib/serve/demo/storefront-server.js';
import { CHROMIUM, launchHeadlessChromium, TEST_OUTPUT, type HeadlessBrowser } from '../helpers/headless-chromium.js';
import { skipWithout } from '../helpers/system-servers.js';

const outputDir = TEST_OUTPUT;
const HOSTILE_NAME = `<img src=x onerror="window.__injected=1">Mug & "cup" <b>bold</b>`;

interface Listed {
  item: string;
  name: string;
}

/** The product lines of a list on the page: their data-item and the name shown. */
function listed(page: Page, list: string): Promise<Listed[]> {
  return page.$$eval(`#${list} > li`, (lis) =>
    lis.map((li) => ({ item: (li as HTMLElement).dataset.item ?? '', name: li.querySelector('.name')!.textContent ?? '' })),
  );
}

/** Waits until no request of the page is in flight (body[data-busy="0"], kept by the page's script). */
async function settled(page: Page): Promise<void> {
  await page.waitForSelector('body[data-busy="0"]', { timeout: 20_000 });
}

describe.skipIf(skipWithout(existsSync(CHROMIUM)))('the storefront of mfrec serve --demo in headless Chromium', () => {
  let context: BrowserContext;
  let browser: HeadlessBrowser | undefined;
  let cacheDir: string;
  let store: Storefront;
  let shop: DemoShop;
  let url: string;

  beforeAll(async () => {
    mkdirSync(outputDir, { recursive: true });
    cacheDir = mkdtempSync(path.join(tmpdir(), 'mfrec-storefront-cache-'));
    shop = await loadDemoShop();
    // One product of the first customer gets a name full of markup: the page must show it as text.
    const first = shop.customers[0]!.customer;
    shop.names.set(shop.history(first)[0]!.item, HOSTILE_NAME);
    store = await createStorefront({ cacheDir, shop });
    url = await store.app.listen({ port: 0, host: '127.0.0.1' });
    browser = await launchHeadlessChromium();
    context = browser.context;
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await store?.close();
    if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
  });

  const api = async <T>(route: string, init?: RequestInit): Promise<T> => {
    const r = await fetch(`${url}${route}`, init);
    expect(r.status, route).toBe(200);
    return (await r.json()) as T;
  };

  it('picks a customer, shows history and recommendations, a product with its also-bought list, a cart that changes them, and why', async () => {
    const page = await context.newPage();
    const problems: string[] = [];
    const foreign: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    page.on('request', (r) => {
      if (!r.url().startsWith(`${url}/`) && !r.url().startsWith('data:')) foreign.push(r.url());
    });
    const shot = (name: string) => page.screenshot({ path: path.join(outputDir, `storefront-${name}.png`), fullPage: true });

    await page.goto(`${url}/`);
    await settled(page);
    const options = await page.$$eval('#customer option', (os) => os.map((o) => (o as HTMLOptionElement).value).filter((v) => v !== ''));
    expect(options).toEqual(shop.customers.map((c) => c.customer));
    expect(await listed(page, 'recommended')).toEqual([]);
    expect(await page.textContent('#status')).toBe('24 customers to pick from.');
    await shot('start');

    // Pick a customer: what they bought, and what the model recommends them.
    const customer = shop.customers[0]!.customer;
    await page.selectOption('#customer', customer);
    await settled(page);
    const history = await listed(page, 'history');
    expect(history).toEqual(shop.history(customer).map((b) => ({ item: b.item, name: b.name })));
    expect(history.some((h) => h.name === HOSTILE_NAME)).toBe(true);
    const recommended = await listed(page, 'recommended');
    const expected = await api<{ items: Array<{ item: string; source: string }> }>(`/recommend/${customer}?k=10`);
    expect(recommended.map((r) => r.item)).toEqual(expected.items.map((r) => r.item));
    expect(expected.items.every((r) => r.source === 'model')).toBe(true);
    expect(recommended.map((r) => r.name)).toEqual(recommended.map((r) => shop.names.get(r.item) ?? r.item));
    expect(await page.textContent('#recommended-title')).toBe('Recommended for you');
    await shot('customer');

    // A product page: its name and the products bought with it.
    const product = recommended[0]!;
    await page.click(`#recommended > li[data-item="${product.item}"] .name`);
    await settled(page);
    expect(await page.isVisible('#product')).toBe(true);
    expect(await page.textContent('#product-name')).toBe(product.name);
    const alsoBought = await listed(page, 'also-bought');
    const similar = await api<{ items: Array<{ item: string }> }>(`/similar/${product.item}?k=8`);
    expect(alsoBought).toHaveLength(8);
    expect(alsoBought.map((s) => s.item)).toEqual(similar.items.map((s) => s.item));
    await shot('product');

    // Into the cart: the recommendations become the cart's, and change.
    await page.click('#product-add');
    await settled(page);
    expect((await listed(page, 'cart')).map((c) => c.item)).toEqual([product.item]);
    expect(await page.textContent('#recommended-title')).toBe('Recommended for you, with your cart');
    const withCart = await listed(page, 'recommended');
    const cartAnswer = await api<{ items: Array<{ item: string }> }>('/recommend', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: customer, items: [product.item], k: 10 }),
    });
    expect(withCart.map((r) => r.item)).toEqual(cartAnswer.items.map((r) => r.item));
    expect(withCart.map((r) => r.item)).not.toEqual(recommended.map((r) => r.item));
    expect(withCart.map((r) => r.item)).not.toContain(product.item);
    // A second product, from the also-bought list: the page shows the service's answer for the two-item cart.
    const second = alsoBought[0]!;
    await page.click(`#also-bought > li[data-item="${second.item}"] .actions button`);
    await settled(page);
    expect((await listed(page, 'cart')).map((c) => c.item)).toEqual([product.item, second.item]);
    const twoItems = await api<{ items: Array<{ item: string }> }>('/recommend', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: customer, items: [product.item, second.item], k: 10 }),
    });
    const afterSecond = (await listed(page, 'recommended')).map((r) => r.item);
    expect(afterSecond).toEqual(twoItems.items.map((r) => r.item));
    expect(afterSecond).not.toContain(second.item);
    await shot('cart');

    // Why: the customer's purchases that weigh most in the first recommendation's score.
    const top = (await listed(page, 'recommended'))[0]!;
    const why = `#recommended > li[data-item="${top.item}"] .why`;
    expect(await page.isVisible(why)).toBe(false);
    await page.click(`#recommended > li[data-item="${top.item}"] .actions button:has-text("Why?")`);
    await settled(page);
    expect(await page.isVisible(why)).toBe(true);
    const explained = await api<{ score: number; contributions: Array<{ item: string }> }>(`/explain/${customer}/${top.item}?n=5`);
    const lines = await page.$$eval(`${why} li`, (lis) => lis.map((li) => li.textContent ?? ''));
    expect(lines).toHaveLength(explained.contributions.length);
    expect(lines.length).toBeGreaterThan(0);
    explained.contributions.forEach((c, j) => expect(lines[j]!.startsWith(`${shop.names.get(c.item) ?? c.item} (`)).toBe(true));
    expect(await page.textContent(why)).toContain(`score ${explained.score.toFixed(3)}`);
    await shot('why');

    // The hostile name was shown as text: no element or script came from it.
    expect(await page.evaluate(() => (window as unknown as { __injected?: unknown }).__injected)).toBeUndefined();
    expect(await page.evaluate(() => document.images.length)).toBe(0);
    expect(await page.$$eval('#history b', (bs) => bs.length)).toBe(0);
    expect(problems).toEqual([]);
    expect(foreign).toEqual([]);
    for (const name of ['start', 'customer', 'product', 'cart', 'why']) expect(existsSync(path.join(outputDir, `storefront-${name}.png`))).toBe(true);
    await page.close();
  }, 120_000);

  it('serves the page with a content security policy, and the demo routes answer typed errors', async () => {
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    const unknown = await fetch(`${url}/demo/customers/no-such-customer/history`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'ERR_MFREC_UNKNOWN_ID',
      message: 'Unknown customer "no-such-customer": not in the demo\'s purchases',
    });
    expect((await fetch(`${url}/storefront.js/../../package.json`)).status).toBe(404);
  });
});
