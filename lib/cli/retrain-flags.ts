/**
 * The background retrain flags of `mfrec serve`: how often to update the
 * model from the shop's events, on what data, with what recency decay and
 * gate margin. They need the event log (`--events DIR`): without it they
 * are refused rather than silently ignored.
 */
import { type Command, InvalidArgumentError } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import type { ModelHandle } from '../serve/model-handle.js';
import { recentEventsGate } from '../serve/recent-events-gate.js';
import { RetrainLoop, type EventSource, type RetrainDecision } from '../serve/retrain-loop.js';

export interface RetrainFlags {
  retrainEvery?: number;
  fullRetrainEvery?: number;
  baseData?: string;
  halfLife?: number;
  gateMargin?: number;
  /** The event log folder (`--events`), when the serve command has it. */
  events?: string;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const MAX_MS = 2 ** 31 - 1;

/** A duration with its unit: 90s, 5m, 2h, 1d (up to about 24 days, the timers' limit). */
export function durationArg(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$/.exec(value);
  const ms = m ? Math.round(Number(m[1]) * UNITS[m[2]!]!) : Number.NaN;
  if (!m || ms < 1_000 || ms > MAX_MS) throw new InvalidArgumentError(`expected a duration from 1s to 24d such as 90s, 5m, 2h or 1d, got '${value}'`);
  return ms;
}

function halfLifeArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a number of days >= 0 (0: no decay), got '${value}'`);
  return n;
}

function marginArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError(`expected a precision difference in [0, 1], got '${value}'`);
  return n;
}

export function addRetrainOptions(command: Command): Command {
  return command
    .option(
      '--retrain-every <duration>',
      'update the model from the events this often (90s, 5m, 2h): partial fits of the active users; needs --events',
      durationArg,
    )
    .option('--full-retrain-every <duration>', 'retrain the model from scratch on --base-data plus the events this often (1d); needs --events', durationArg)
    .option('--base-data <file>', 'interactions file (as mfrec train reads) that full retrains start from; needs --full-retrain-every')
    .option('--half-life <days>', 'recency decay of full retrains: an event loses half its weight every DAYS days; 0: no decay (default 30)', halfLifeArg)
    .option('--gate-margin <p>', 'a new model may score at most this much lower precision@10 on the latest events than the running one (default 0)', marginArg);
}

/** True when any retrain flag was given. */
export function wantsRetrain(flags: RetrainFlags): boolean {
  return [flags.retrainEvery, flags.fullRetrainEvery, flags.baseData, flags.halfLife, flags.gateMargin].some((v) => v !== undefined);
}

/** Checks the flags together (one-line errors naming the flag); call before listening. */
export function checkRetrainFlags(flags: RetrainFlags): void {
  if (!wantsRetrain(flags)) return;
  const named = flagNames(flags);
  if (flags.events === undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${named} need the event log: add --events DIR`);
  if (flags.retrainEvery === undefined && flags.fullRetrainEvery === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${named}: give --retrain-every and/or --full-retrain-every, or the loop never runs`);
  }
  if (flags.baseData !== undefined && flags.fullRetrainEvery === undefined) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--base-data is the data of full retrains: add --full-retrain-every');
  }
}

function flagNames(flags: RetrainFlags): string {
  const names: [keyof RetrainFlags, string][] = [
    ['retrainEvery', '--retrain-every'],
    ['fullRetrainEvery', '--full-retrain-every'],
    ['baseData', '--base-data'],
    ['halfLife', '--half-life'],
    ['gateMargin', '--gate-margin'],
  ];
  return names
    .filter(([k]) => flags[k] !== undefined)
    .map(([, n]) => n)
    .join(', ');
}

/** The loop the flags describe over `handle` and the event log's reader, started; its decisions go to `say`. */
export function startRetrainLoop(handle: ModelHandle, flags: RetrainFlags, events: EventSource, say: (line: string) => void): RetrainLoop {
  const loop = new RetrainLoop({
    handle,
    events,
    partialEvery: flags.retrainEvery ?? 0,
    fullEvery: flags.fullRetrainEvery ?? 0,
    ...(flags.baseData !== undefined ? { baseData: { file: flags.baseData } } : {}),
    ...(flags.halfLife !== undefined ? { halfLifeDays: flags.halfLife } : {}),
    gate: recentEventsGate({ margin: flags.gateMargin ?? 0 }),
    log: (d: RetrainDecision) => say(`${d.kind} retrain ${d.outcome} (${d.trained} events trained, ${d.heldOut} held out): ${d.reason}`),
  });
  return loop.start();
}
