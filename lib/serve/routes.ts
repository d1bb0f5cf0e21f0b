/**
 * The service's routes (the contract in docs/serve.md). Each request takes
 * a lease on the model being served and releases it when its answer is
 * built, so a reload meanwhile never disposes the model under it.
 */
import type { FastifyInstance } from 'fastify';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import { recommendWithCart } from './cart.js';
import { HttpError, ServiceErrorCodes } from './http-errors.js';
import type { ModelLease } from './generation.js';
import { hasMetadataSupport, itemResults, metadataOf, modelSummary } from './results.js';
import { batchBody, itemParams, kQuery, recommendBody, userParams } from './schemas.js';

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

export function registerRoutes(app: FastifyInstance, lease: LeaseModel): void {
  app.get<{ Params: { user: string }; Querystring: KQuery }>('/recommend/:user', { schema: { params: userParams, querystring: kQuery } }, async (request) =>
    withLease(lease, ({ model, info }) => ({
      user: request.params.user,
      items: itemResults(model, model.recommend(request.params.user, { k: request.query.k })),
      model: modelSummary(info),
    })),
  );

  app.post<{ Body: { user?: RawId; items?: RawId[]; k: number } }>('/recommend', { schema: { body: recommendBody } }, async (request) => {
    const { user, items, k } = request.body;
    return withLease(lease, ({ model, info }) => {
      // An empty cart adds nothing to a known user's history: their own recommendations, not a fold-in of them.
      const list =
        user !== undefined && (items === undefined || items.length === 0) ? model.recommend(user, { k }) : recommendWithCart(model, user, items ?? [], k);
      return { ...(user === undefined ? {} : { user }), items: itemResults(model, list), model: modelSummary(info) };
    });
  });

  app.post<{ Body: { users: RawId[]; k: number } }>('/recommend/batch', { schema: { body: batchBody } }, async (request) => {
    const { users, k } = request.body;
    const l = lease();
    try {
      // One call for all users, ranked off the event loop on one thread: the other cores keep serving.
      const batch = await l.model.recommendBatch(users, { k, threads: 1 });
      const results = users.map((user, r) => ({ user, items: itemResults(l.model, batch.row(r)) }));
      return { results, model: modelSummary(l.info) };
    } finally {
      l.release();
    }
  });

  app.get<{ Params: { item: string }; Querystring: KQuery }>('/similar/:item', { schema: { params: itemParams, querystring: kQuery } }, async (request) =>
    withLease(lease, ({ model, info }) => ({
      item: request.params.item,
      items: itemResults(model, model.similarItems(request.params.item, { k: request.query.k })),
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
}
