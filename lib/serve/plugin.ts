/**
 * The fastify plugin (package export `mfrec/fastify`): the recommendation
 * routes (routes.ts), readiness (GET /health) and Prometheus metrics
 * (GET /metrics, metrics.ts) over a {@link ModelHandle}. The routes live in
 * their own encapsulated context with the service's error handler
 * (http-errors.ts), so an application that registers the plugin keeps its
 * own error handling for its other routes.
 */
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import fp from 'fastify-plugin';
import { ErrorCodes, MfrecError } from '../errors.js';
import { invalid, knownOptions, boolean } from '../validate.js';
import { handleError, sendError } from './http-errors.js';
import { ServiceMetrics } from './metrics.js';
import { ModelHandle } from './model-handle.js';
import { modelSummary } from './results.js';
import { registerRoutes } from './routes.js';
import { ServiceRules } from './service-rules.js';
import type { RankingRulesSpec } from '../models/base/ranking-rules.js';

export interface MfrecPluginOptions {
  /** The model to serve, or a promise of it: until it resolves, routes answer 503 and /health says not ready. */
  handle: ModelHandle | Promise<ModelHandle>;
  /** Serve GET /metrics. Default true. */
  metrics?: boolean;
  /**
   * Rank known-user GET /recommend requests that arrive together with one
   * batch call instead of one catalogue scan each (bench/README.md,
   * "micro-batching"). Default true.
   */
  microBatch?: boolean;
  /**
   * Business rules applied to every answer (docs/rules.md): a spec such as
   * `{ allowed: inStock, categoryCaps: { default: 3 } }`, compiled once per
   * served model, or a {@link ServiceRules} whose `set()` changes them while
   * serving. Default none.
   */
  rules?: RankingRulesSpec | ServiceRules;
  /** Path prefix of every route ('/api': GET /api/recommend/:user...). Default none. */
  prefix?: string;
}

const plugin: FastifyPluginAsync<MfrecPluginOptions> = async (app, options) => {
  // fastify's own register options (prefix, logLevel...) may come along with ours.
  const o = knownOptions('mfrec fastify plugin', options, ['handle', 'metrics', 'microBatch', 'rules', 'prefix', 'logLevel', 'logSerializers']);
  const source = o.handle;
  if (!(source instanceof ModelHandle) && !(source instanceof Promise)) throw invalid('a ModelHandle or a Promise of one', 'handle', source);
  const metricsOn = o.metrics === undefined ? true : boolean('metrics', o.metrics);
  const microBatch = o.microBatch === undefined ? true : boolean('microBatch', o.microBatch);
  if (o.rules !== undefined && (o.rules === null || typeof o.rules !== 'object')) throw invalid('a rules spec or a ServiceRules', 'rules', o.rules);
  const rules = o.rules instanceof ServiceRules ? o.rules : new ServiceRules(o.rules as RankingRulesSpec | undefined);
  // fastify-plugin makes fastify ignore `prefix` for this plugin; the routes' own scope takes it.
  const prefix = o.prefix === undefined ? '' : String(o.prefix);
  if (prefix !== '' && !/^\/[\w./-]*[\w]$/.test(prefix)) throw invalid("a path such as '/api'", 'prefix', o.prefix);
  const metrics = new ServiceMetrics();
  let handle: ModelHandle | undefined;
  let failure: Error | undefined;
  let unfollow: (() => void) | undefined;
  const ready = (h: ModelHandle) => {
    handle = h;
    unfollow = metrics.follow(h);
  };
  if (source instanceof ModelHandle) ready(source);
  else source.then(ready, (e: Error) => (failure = e));
  app.addHook('onClose', async () => unfollow?.());

  const lease = () => {
    if (handle === undefined) {
      throw new MfrecError(ErrorCodes.NOT_FITTED, failure ? `No model could be loaded: ${failure.message}` : 'No model is loaded yet');
    }
    return handle.acquire();
  };

  await app.register(
    async (scope: FastifyInstance) => {
      scope.setErrorHandler(handleError);
      scope.addHook('onResponse', async (request, reply) => {
        metrics.observe(request.routeOptions.url ?? 'unmatched', request.method, reply.statusCode, reply.elapsedTime / 1000);
      });
      registerRoutes(scope, lease, microBatch, rules);
      scope.get('/health', async (_request, reply) => {
        if (handle === undefined) {
          const why = failure ? `No model could be loaded: ${failure.message}` : 'No model is loaded yet';
          return sendError(reply, 503, ErrorCodes.NOT_FITTED, why);
        }
        const refusal = handle.lastRefusal;
        return {
          status: 'ok',
          model: modelSummary(handle.info),
          refusals: handle.refusals,
          ...(refusal ? { lastRefusal: { at: refusal.at, code: refusal.error.code, message: refusal.error.message } } : {}),
        };
      });
      if (metricsOn) {
        scope.get('/metrics', async (_request, reply) => reply.type(metrics.contentType).send(await metrics.text()));
      }
    },
    { prefix },
  );
};

/** Registers the mfrec routes on a fastify instance: `app.register(mfrecFastify, { handle })`. */
export const mfrecFastify = fp(plugin, { fastify: '5.x', name: 'mfrec' });
export default mfrecFastify;
