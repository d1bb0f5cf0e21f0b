/**
 * Matrix-factorization models (explicit SGD, ALS, BPR): a Recommender whose
 * state holds one vector per user and per item, and the reads of those
 * vectors. Everything else every model shares is in recommender.ts, whose
 * types are re-exported here for the factor families.
 */
import type { RawId } from '../../data/id-map.js';
import { factorRow } from './factor-state.js';
import { Recommender } from './recommender.js';
import { similarUsers, type SimilarUsersOptions } from './similar.js';

export * from './recommender.js';

export abstract class FactorModel extends Recommender {
  /** The length of every user and item vector. */
  get factors(): number {
    return this.fitted().factors;
  }

  /** A copy of one user's factor vector (undefined for an unknown user). */
  userVector(user: RawId): Float32Array | undefined {
    const s = this.fitted();
    return factorRow(s.userFactors, s.factors, s.users.index(user));
  }

  itemVector(item: RawId): Float32Array | undefined {
    const s = this.fitted();
    return factorRow(s.itemFactors, s.factors, s.items.index(item));
  }

  /**
   * The k users most similar to `user` by cosine similarity of their factor
   * vectors, excluding the user. An unknown user throws ERR_MFREC_UNKNOWN_ID.
   */
  similarUsers(user: RawId, options?: SimilarUsersOptions): Array<{ user: RawId; score: number }> {
    return similarUsers(this.fitted(), user, options);
  }
}
