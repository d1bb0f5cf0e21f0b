/**
 * Recommendations for a live cart, through recommend()'s `cart` option: for
 * an anonymous visitor (or a user the model does not know) the cart alone is
 * folded in; for a known user the cart is added to their trained history
 * (each cart item counts as one more interaction) and that union is folded in, so the cart refines what the
 * model knows instead of replacing it. Items of the history and the cart
 * are not recommended back. An anonymous cart without any item the model
 * knows gets the popular items (source 'cold-start').
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import type { LoadedModel } from '../persist/load-model.js';
import { isRatingModel } from '../models/registry.js';
import type { Recommendation } from '../models/base/recommend-options.js';
import type { RankingRules } from '../models/base/ranking-rules.js';

export function recommendWithCart(
  model: LoadedModel,
  user: RawId | undefined,
  cart: RawId[],
  k: number,
  shared: { rules?: RankingRules; approximate?: boolean } = {},
): Recommendation[] {
  if (!model.supportsRecalculate) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `items: the ${model.type} model cannot fold in a cart (this model type has no fold-in)`);
  }
  if (isRatingModel(model.type)) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `items: the ${model.type} model folds users in from ratings, and a cart has none`);
  }
  // The id of an anonymous visitor is never looked up: the fold-in alone decides (a cart of unknown items is a cold start).
  return model.recommend(user ?? '', { k, cart, ...shared });
}
