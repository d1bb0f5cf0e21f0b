/**
 * The storefront page (public/: plain HTML, CSS and JS, no build step) and
 * the two routes it needs beside the service's own: a sample of customers
 * and a customer's purchases (the service's answers carry product names
 * from the model's item metadata). Only the files listed here are served,
 * so no request path ever reaches the file system.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { packageRoot } from '../../addon/loader.js';
import { handleError } from '../http-errors.js';
import { userParams } from '../schemas.js';
import type { DemoShop } from './demo-shop.js';

/** Where the page's files are, in the source tree and in the package alike (package.json "files"). */
export const storefrontPublicDir = path.join(packageRoot, 'lib', 'serve', 'demo', 'public');

const FILES: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/storefront.css': { file: 'storefront.css', type: 'text/css; charset=utf-8' },
  '/storefront.js': { file: 'storefront.js', type: 'text/javascript; charset=utf-8' },
};

/** The page loads nothing but its own files and JSON from this server, and runs no inline script. */
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

export async function registerStorefront(app: FastifyInstance, shop: DemoShop): Promise<void> {
  const contents = new Map<string, Buffer>();
  for (const [route, { file }] of Object.entries(FILES)) contents.set(route, await readFile(path.join(storefrontPublicDir, file)));

  await app.register(async (scope: FastifyInstance) => {
    scope.setErrorHandler(handleError);
    for (const [route, { type }] of Object.entries(FILES)) {
      scope.get(route, async (_request, reply) =>
        reply.type(type).header('content-security-policy', CSP).header('x-content-type-options', 'nosniff').send(contents.get(route)),
      );
    }
    scope.get('/demo/customers', async () => ({ customers: shop.customers }));
    scope.get<{ Params: { user: string } }>('/demo/customers/:user/history', { schema: { params: userParams } }, async (request) => ({
      customer: request.params.user,
      items: shop.history(request.params.user),
    }));
  });
}
