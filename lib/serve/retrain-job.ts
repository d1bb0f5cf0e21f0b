/** What retrainInBackground sends to its child process (retrain-child.ts) and what comes back. */
import type { ErrorCode } from '../errors.js';
import type { ReadOptions } from '../data/read-delimited.js';
import type { RetailOptions } from '../data/online-retail.js';

/** Where the training data comes from: a delimited file (readInteractions) or the Online Retail export (readOnlineRetail). */
export type RetrainData = { file: string; read?: Omit<ReadOptions, 'onProgress'> } | { onlineRetail: string; options?: RetailOptions };

export interface RetrainJob {
  data: RetrainData;
  /** The model family and its hyperparameters (defaults for those left out). */
  model: { type: string; params?: Record<string, unknown> };
  /** Where the trained model is saved (atomically). */
  out: string;
}

/** What the child trained on, and how long reading, training and saving took. */
export interface Trained {
  users: number;
  items: number;
  interactions: number;
  seconds: number;
}

export type RetrainReply = ({ ok: true } & Trained) | { ok: false; code: ErrorCode | undefined; message: string };
