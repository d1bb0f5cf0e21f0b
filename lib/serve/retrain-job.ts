/** What retrainInBackground and the retrain loop send to their child process (retrain-child.ts) and what comes back. */
import type { ErrorCode } from '../errors.js';
import type { ReadOptions } from '../data/read-delimited.js';
import type { RetailOptions } from '../data/online-retail.js';
import type { EventWeights, ShopEvent } from '../events/shop-event.js';

/** Where the training data comes from: a delimited file (readInteractions) or the Online Retail export (readOnlineRetail). */
export type RetrainData = { file: string; read?: Omit<ReadOptions, 'onProgress'> } | { onlineRetail: string; options?: RetailOptions };

/** Shop events to train on, and how they become interactions (eventsToInteractions). */
export interface EventsPart {
  events: ShopEvent[];
  weights?: EventWeights;
  halfLifeDays?: number;
  now?: number;
}

/** A full training: base data and/or events, from scratch. */
export interface RetrainJob {
  kind?: 'full';
  data?: RetrainData;
  events?: EventsPart;
  /** The model family and its hyperparameters (defaults for those left out). */
  model: { type: string; params?: Record<string, unknown> };
  /** Where the trained model is saved (atomically). */
  out: string;
}

/** An incremental update: the model in `from` with the users (and new items) of `events` re-solved. */
export interface PartialJob {
  kind: 'partial';
  from: string;
  events: EventsPart;
  out: string;
}

export type ChildJob = RetrainJob | PartialJob;

/** What the child trained on, and how long reading, training and saving took. */
export interface Trained {
  users: number;
  items: number;
  interactions: number;
  seconds: number;
}

export type RetrainReply = ({ ok: true } & Trained) | { ok: false; code: ErrorCode | undefined; message: string };
