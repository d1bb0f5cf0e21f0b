/**
 * A ready fastify server around the plugin, as `mfrec serve` runs it: the
 * mfrec routes plus the service's JSON answer for unknown routes.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { handleNotFound } from './http-errors.js';
import type { EventLog } from '../events/event-log.js';
import type { ModelHandle } from './model-handle.js';
import { mfrecFastify, type MfrecPluginOptions } from './plugin.js';
import type { RetrainLoop } from './retrain-loop.js';

export interface ServerOptions {
  handle: ModelHandle | Promise<ModelHandle>;
  /** fastify's logger option. Default false. */
  logger?: FastifyServerOptions['logger'];
  /** Serve GET /metrics. Default true. */
  metrics?: boolean;
  /** Business rules applied to every answer (see MfrecPluginOptions.rules). */
  rules?: MfrecPluginOptions['rules'];
  /** A background retrain loop whose decisions GET /metrics counts. */
  retrainLoop?: RetrainLoop;
  /** Serve POST /events into this log (see the plugin's option). */
  events?: EventLog;
}

export async function createServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger ?? false });
  app.setNotFoundHandler(handleNotFound);
  await app.register(mfrecFastify, {
    handle: options.handle,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
    ...(options.rules === undefined ? {} : { rules: options.rules }),
    ...(options.retrainLoop === undefined ? {} : { retrainLoop: options.retrainLoop }),
    ...(options.events === undefined ? {} : { events: options.events }),
  });
  return app;
}
