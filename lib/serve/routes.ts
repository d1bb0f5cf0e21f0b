/**
 * The service's routes (the contract in docs/serve.md). Each request takes
 * a lease on the model being served and releases it when its answer is
 * built, so a reload meanwhile never disposes the model under it.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import type { Recommender } from '../models/base/recommender.js';
import type { LoadedModel } from '../persist/load-model.js';
import { isRatingModel } from '../models/registry.js';
import { recommendWithCart } from './cart.js';
import { HttpError, ServiceErrorCodes } from './http-errors.js';
import { MicroBatcher } from './micro-batcher.js';
import type { ServiceRules } from './service-rules.js';
import type { RecentEvents } from './recent-events.js';
import type { ModelLease } from './generation.js';
import { hasMetadataSupport, itemResults, metadataOf, modelSummary } from './results.js';
import { batchBody, explainParams, itemParams, kQuery, nQuery, recommendBody, userParams } from './schemas.js';

/** Where routes take their model from: throws ERR_MFREC_NOT_FITTED (503) while none is loaded. */
export type LeaseModel = () => ModelLease;

interface KQuery {
  k: number;
}

function withLease<T>(lease: LeaseModel, fn: (l: ModelLease) => T): T {
  const l = lease();
  try {
    return fn(l);
  } finally {
    l.release();
  }
}

/**
 * `microBatch`: known-user recommendations arriving in the same event-loop
 * turn are ranked by one batch call (lib/serve/micro-batcher.ts). Each model
 * has its own batcher, so a batch is answered by the very model its
 * requests hold a lease on, even across a hot swap.
 *
 * `recent`: the items users sent through POST /events since the last swap;
 * GET /recommend/:user folds a user's in as a cart (their trained history
 * plus these items; a user the model does not know: these items alone).
 */
export function registerRoutes(app: FastifyInstance, lease: LeaseModel, microBatch: boolean, serviceRules: ServiceRules, recent?: RecentEvents): void {
  // The options every answer of a model shares: its compiled rules (none when no rules are set), and its
  // approximate index when it was saved with one (docs/approximate.md; calls with rules are ranked exactly).
  const answerOptions = (model: Recommender) => {
    const rules = serviceRules.for(model);
    return { ...(rules === undefined ? {} : { rules }), ...(model.indexInfo === undefined ? {} : { approximate: true }) };
  };
  // Similar items search the index's cosine graph only when it was built (buildIndex({ similar: true })).
  const similarOptions = (model: Recommender) => {
    const { approximate, ...rest } = answerOptions(model);
    return approximate && model.indexInfo?.similar ? { ...rest, approximate } : rest;
  };
  const batchers = new WeakMap<Recommender, MicroBatcher>();
  const batcherOf = (model: Recommender): MicroBatcher => {
    let b = batchers.get(model);
    if (b === undefined) batchers.set(model, (b = new MicroBatcher(model)));
    return b;
  };

  app.get<{ Params: { user: string }; Querystring: KQuery }>('/recommend/:user', { schema: { params: userParams, querystring: kQuery } }, async (request) => {
    const { user } = request.params;
    const { k } = request.query;
    const l = lease();
    try {
      const cart = recent?.itemsOf(user);
      if (cart !== undefined && canFoldIn(l.model)) {
        return {
          user,
          items: itemResults(l.model, recommendWithCart(l.model, user, cart, k, answerOptions(l.model))),
          recentItems: cart.length,
          model: modelSummary(l.info),
        };
      }
      const list = microBatch
        ? await batcherOf(l.model).recommend(user, { k, ...answerOptions(l.model) })
        : l.model.recommend(user, { k, ...answerOptions(l.model) });
      return { user, items: itemResults(l.model, list), model: modelSummary(l.info) };
    } finally {
      l.release();
    }
  });

  app.post<{ Body: { user?: RawId; items?: RawId[]; k: number } }>('/recommend', { schema: { body: recommendBody } }, async (request) => {
    const { user, items, k } = request.body;
    return withLease(lease, ({ model, info }) => {
      // An empty cart adds nothing to a known user's history: their own recommendations, not a fold-in of them.
      const list =
        user !== undefined && (items === undefined || items.length === 0)
          ? model.recommend(user, { k, ...answerOptions(model) })
          : recommendWithCart(model, user, items ?? [], k, answerOptions(model));
      return { ...(user === undefined ? {} : { user }), items: itemResults(model, list), model: modelSummary(info) };
    });
  });

  app.post<{ Body: { users: RawId[]; k: number } }>('/recommend/batch', { schema: { body: batchBody } }, async (request) => {
    const { users, k } = request.body;
    const l = lease();
    try {
      // One call for all users, ranked off the event loop on one thread: the other cores keep serving.
      const batch = await l.model.recommendBatch(users, { k, threads: 1, ...answerOptions(l.model) });
      const results = users.map((user, r) => ({ user, items: itemResults(l.model, batch.row(r)) }));
      return { results, model: modelSummary(l.info) };
    } finally {
      l.release();
    }
  });

  app.get<{ Params: { item: string }; Querystring: KQuery }>('/similar/:item', { schema: { params: itemParams, querystring: kQuery } }, async (request) =>
    withLease(lease, ({ model, info }) => ({
      item: request.params.item,
      items: itemResults(model, model.similarItems(request.params.item, { k: request.query.k, ...similarOptions(model) })),
      model: modelSummary(info),
    })),
  );

  app.get<{ Params: { item: string } }>('/items/:item', { schema: { params: itemParams } }, async (request) =>
    withLease(lease, ({ model, info }) => {
      const { item } = request.params;
      if (!model.hasItem(item)) throw new MfrecError(ErrorCodes.UNKNOWN_ID, `Unknown item ${JSON.stringify(item)}: not in the model's catalogue`);
      if (!hasMetadataSupport(model)) throw new HttpError(404, ServiceErrorCodes.NO_METADATA, `The ${model.type} model in use holds no item metadata`);
      const metadata = metadataOf(model, item);
      if (metadata === undefined) throw new HttpError(404, ServiceErrorCodes.NO_METADATA, `The model holds no metadata for item ${JSON.stringify(item)}`);
      return { item, metadata, model: modelSummary(info) };
    }),
  );

  // Why `item` scores as it does for `user`: the user's own items that contribute most (docs/explain.md), with their metadata.
  app.get<{ Params: { user: string; item: string }; Querystring: { n: number } }>(
    '/explain/:user/:item',
    { schema: { params: explainParams, querystring: nQuery } },
    async (request) =>
      withLease(lease, ({ model, info }) => {
        const e = model.explain(request.params.user, request.params.item, { n: request.query.n });
        const contributions = e.contributions.map((c) => {
          const metadata = metadataOf(model, c.item);
          return { ...c, ...(metadata === undefined ? {} : { metadata }) };
        });
        return { ...e, contributions, model: modelSummary(info) };
      }),
  );
}

/** Whether recent items can be folded in: models without fold-in, or that fold in from ratings, answer from training alone. */
function canFoldIn(model: LoadedModel): boolean {
  return model.supportsRecalculate && !isRatingModel(model.type);
}
