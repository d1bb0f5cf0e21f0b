/**
 * Brings what shoppers do back into the served model without anyone running
 * a command: every `partialEvery` ms an incremental update (the running
 * model plus the events since the last accepted run), every `fullEvery` ms
 * a full retrain (base data plus all events). Each run trains in the retrain
 * child process into a candidate file beside the model, holds the most
 * recent events out of it, and the candidate replaces the running model only
 * if it passes the recent-events gate; then it is renamed over the model
 * file and the handle reloads it (through its own checks and gate too).
 * A refused or failed run leaves the running model serving and its events
 * pending for the next run. Every decision is emitted as 'decision', passed
 * to `log`, and kept in `decisions`.
 */
import { EventEmitter } from 'node:events';
import { rm } from 'node:fs/promises';
import { ErrorCodes, isMfrecError, MfrecError } from '../errors.js';
import { DEFAULT_EVENT_WEIGHTS, type EventWeights, type ShopEvent } from '../events/shop-event.js';
import { integer, invalid, knownOptions, number } from '../validate.js';
import { readEventsMark, writeEventsMark } from './events-mark.js';
import { candidatePath, installModel } from './install-model.js';
import type { ModelHandle } from './model-handle.js';
import { readModelOffThread } from './read-off-thread.js';
import { recentEventsGate, type EventSplit, type RecentEventsGate } from './recent-events-gate.js';
import { runRetrainChild } from './retrain.js';
import type { ChildJob, RetrainData } from './retrain-job.js';

/** Where the loop takes events from: those at or after `since` (ms); more may come back, they are filtered. */
export type EventSource = (range: { since: number }) => AsyncIterable<ShopEvent> | Promise<ShopEvent[]> | ShopEvent[];

export type RetrainKind = 'partial' | 'full';

export interface RetrainDecision {
  kind: RetrainKind;
  /** accepted: swapped in; refused: the gate (or the handle) said no; skipped: nothing to do; failed: training failed. */
  outcome: 'accepted' | 'refused' | 'skipped' | 'failed';
  reason: string;
  /** ISO time of the decision. */
  at: string;
  /** Events trained on, and held out to judge the candidate. */
  trained: number;
  heldOut: number;
}

export interface RetrainLoopOptions {
  handle: ModelHandle;
  events: EventSource;
  /** Data of full retrains besides the events (as retrainInBackground takes it). Without it a full retrain trains on the events alone. */
  baseData?: RetrainData;
  /** Milliseconds between incremental updates; 0 turns them off. Default 5 minutes. */
  partialEvery?: number;
  /** Milliseconds between full retrains; 0 (default) turns them off. */
  fullEvery?: number;
  weights?: EventWeights;
  /**
   * Recency decay of full retrains in days (eventsToInteractions; the base
   * data counts as old as the oldest event); 0 turns it off. Default 30
   * (bench/README.md, recency: ALS precision@10 +16% on Online Retail).
   */
  halfLifeDays?: number;
  /** Default recentEventsGate() (200 events held out, precision@10, margin 0). */
  gate?: RecentEventsGate;
  /**
   * Events before this time (ms) are in the base data (and the model). Default 0. Each accepted
   * run records where the model's events end beside the model file (MODEL.events-from); a new
   * loop on that file starts from there, so a restart does not apply events twice.
   */
  since?: number;
  /** Full retrains train this model family with these hyperparameters; default the running model's. */
  model?: { type?: string; params?: Record<string, unknown> };
  /** Niceness of the training process (0 to 19). Default 10. */
  niceness?: number;
  log?: (decision: RetrainDecision) => void;
}

const OPTION_NAMES = ['handle', 'events', 'baseData', 'partialEvery', 'fullEvery', 'weights', 'halfLifeDays', 'gate', 'since', 'model', 'niceness', 'log'];
const MAX_PERIOD = 2 ** 31 - 1; // setInterval's limit
/** Days; bench/README.md, recency. */
export const DEFAULT_HALF_LIFE_DAYS = 30;
/** Decisions kept in `decisions`. */
const KEEP = 100;

export class RetrainLoop extends EventEmitter {
  /** The latest decisions, oldest first (at most 100). */
  readonly decisions: RetrainDecision[] = [];
  private readonly o: Required<Pick<RetrainLoopOptions, 'handle' | 'events' | 'weights' | 'gate' | 'niceness'>> & RetrainLoopOptions;
  private readonly partialEvery: number;
  private readonly fullEvery: number;
  private readonly halfLifeDays: number | undefined;
  /** Events from this time on are not in the running model yet. */
  private pendingFrom: number;
  /** Events from this time on are not in the base data (for full retrains: every event since the loop's start point). */
  private readonly eventsFrom: number;
  private running: Promise<RetrainDecision> = Promise.resolve(undefined as never);
  private timers: NodeJS.Timeout[] = [];
  private abort = new AbortController();

  constructor(options: RetrainLoopOptions) {
    super();
    const o = knownOptions('RetrainLoop', options, OPTION_NAMES);
    const handle = o.handle as ModelHandle;
    if (handle === null || typeof handle !== 'object' || typeof handle.reload !== 'function') throw invalid('a ModelHandle', 'handle', handle);
    if (typeof o.events !== 'function') throw invalid('a function ({ since }) => events', 'events', o.events);
    if (o.log !== undefined && typeof o.log !== 'function') throw invalid('a function (decision) => void', 'log', o.log);
    this.partialEvery = o.partialEvery === undefined ? 300_000 : integer('partialEvery', o.partialEvery, 0, MAX_PERIOD);
    this.fullEvery = o.fullEvery === undefined ? 0 : integer('fullEvery', o.fullEvery, 0, MAX_PERIOD);
    const since = o.since === undefined ? 0 : number('since', o.since, {});
    const halfLifeDays = o.halfLifeDays === undefined ? DEFAULT_HALF_LIFE_DAYS : number('halfLifeDays', o.halfLifeDays, { min: 0 });
    this.halfLifeDays = halfLifeDays === 0 ? undefined : halfLifeDays;
    this.pendingFrom = Math.max(since, readEventsMark(handle.file) ?? since);
    this.eventsFrom = since;
    this.o = {
      ...(o as unknown as RetrainLoopOptions),
      handle,
      events: o.events as EventSource,
      weights: (o.weights as EventWeights | undefined) ?? DEFAULT_EVENT_WEIGHTS,
      gate: (o.gate as RecentEventsGate | undefined) ?? recentEventsGate(),
      niceness: o.niceness === undefined ? 10 : integer('niceness', o.niceness, 0, 19),
    };
  }

  /** Starts the timers (they do not keep the process alive). */
  start(): this {
    this.stop();
    const every = (ms: number, kind: RetrainKind) => {
      // A decision is already logged and emitted: the timer has nobody else to tell.
      if (ms > 0) this.timers.push(setInterval(() => void this.runOnce(kind).catch(() => undefined), ms).unref());
    };
    every(this.partialEvery, 'partial');
    every(this.fullEvery, 'full');
    return this;
  }

  /** Stops the timers and kills a training in progress (its run ends 'failed', the running model stays). */
  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.abort.abort();
    // Later runs (runOnce, start again) get a signal of their own.
    this.abort = new AbortController();
  }

  /** Runs one update now, after any run in progress; resolves with its decision. */
  runOnce(kind: RetrainKind = 'partial'): Promise<RetrainDecision> {
    const next = this.running.then(() => this.run(kind));
    this.running = next.catch(() => undefined as never);
    return next;
  }

  private async run(kind: RetrainKind): Promise<RetrainDecision> {
    const from = kind === 'full' ? this.eventsFrom : this.pendingFrom;
    let events: ShopEvent[];
    try {
      events = await this.read(from);
    } catch (e) {
      return this.decide(kind, 'failed', `cannot read the events: ${(e as Error).message}`, 0, 0);
    }
    const split = this.o.gate.split(events);
    if (split === undefined) return this.decide(kind, 'skipped', 'fewer than two new events: nothing to train on and judge by', 0, 0);
    const handle = this.o.handle;
    const candidate = candidatePath(handle.file);
    const decide = (outcome: RetrainDecision['outcome'], reason: string) => this.decide(kind, outcome, reason, split.trained.length, split.heldOut.length);
    try {
      await runRetrainChild(this.job(kind, split, candidate), this.o.niceness, this.abort.signal);
      const verdict = await this.judge(candidate, split);
      if (!verdict.accept) return decide('refused', verdict.reason);
      await installModel(handle, candidate);
      this.pendingFrom = split.heldOutFrom;
      const marked = await writeEventsMark(handle.file, this.pendingFrom).then(
        () => '',
        (e: Error) => `; cannot record where its events end (a restarted loop would apply them again): ${e.message}`,
      );
      return decide('accepted', verdict.reason + marked);
    } catch (e) {
      const refused = isMfrecError(e, ErrorCodes.REFUSED);
      return decide(refused ? 'refused' : 'failed', (e as Error).message);
    } finally {
      await rm(candidate, { force: true });
    }
  }

  private job(kind: RetrainKind, split: EventSplit, out: string): ChildJob {
    const { weights } = this.o;
    const halfLifeDays = this.halfLifeDays;
    const events = { events: split.trained, weights, ...(halfLifeDays !== undefined ? { halfLifeDays, now: split.heldOutFrom } : {}) };
    if (kind === 'partial') return { kind: 'partial', from: this.o.handle.file, events: { events: split.trained, weights }, out };
    const running = this.o.handle.model;
    const model = { type: this.o.model?.type ?? running.type, params: this.o.model?.params ?? { ...running.params } };
    return { kind: 'full', ...(this.o.baseData !== undefined ? { data: this.o.baseData } : {}), events, model, out };
  }

  /** The gate on the candidate file against the model serving now (held for the comparison). */
  private async judge(file: string, split: EventSplit): Promise<{ accept: boolean; reason: string }> {
    const read = await readModelOffThread(file);
    try {
      const verdict = await this.o.handle.use((current) => this.o.gate.gateFor(split, this.o.weights)(read.model, current));
      return { accept: verdict.accept, reason: verdict.reason ?? '' };
    } catch (e) {
      throw new MfrecError(ErrorCodes.REFUSED, `the recent-events gate could not judge the new model: ${(e as Error).message}`, { cause: e });
    } finally {
      await read.model.dispose();
    }
  }

  private async read(from: number): Promise<ShopEvent[]> {
    const got = await this.o.events({ since: from });
    const events: ShopEvent[] = [];
    if (Array.isArray(got)) {
      for (const e of got) if (e.time >= from) events.push(e);
    } else {
      for await (const e of got as AsyncIterable<ShopEvent>) if (e.time >= from) events.push(e);
    }
    return events;
  }

  private decide(kind: RetrainKind, outcome: RetrainDecision['outcome'], reason: string, trained: number, heldOut: number): RetrainDecision {
    const decision: RetrainDecision = { kind, outcome, reason, at: new Date().toISOString(), trained, heldOut };
    this.decisions.push(decision);
    if (this.decisions.length > KEEP) this.decisions.shift();
    this.emit('decision', decision);
    try {
      this.o.log?.(decision);
    } catch {
      // A failing log callback must not turn a decision into a failed run: the decision stands and was emitted.
    }
    return decision;
  }
}
