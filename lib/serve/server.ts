/**
 * A ready fastify server around the plugin, as `mfrec serve` runs it: the
 * mfrec routes plus the service's JSON answer for unknown routes.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { handleNotFound } from './http-errors.js';
import type { ModelHandle } from './model-handle.js';
import { mfrecFastify, type MfrecPluginOptions } from './plugin.js';

export interface ServerOptions {
  handle: ModelHandle | Promise<ModelHandle>;
  /** fastify's logger option. Default false. */
  logger?: FastifyServerOptions['logger'];
  /** Serve GET /metrics. Default true. */
  metrics?: boolean;
  /** Business rules applied to every answer (see MfrecPluginOptions.rules). */
  rules?: MfrecPluginOptions['rules'];
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  app.setNotFoundHandler(handleNotFound);
  await app.register(mfrecFastify, {
    handle: options.handle,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.rules === undefined ? {} : { rules: options.rules }),
  });
  return app;
}
