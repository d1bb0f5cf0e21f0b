/**
 * Checks shop events as they arrive (POST /events, EventLog.append) and
 * fills in what the sender may leave out: `type` ('view') and `time` (now).
 * A bad event is an INVALID_ARGUMENT error that names its index and field,
 * so a sender can find it in a batch of thousands.
 */
import { ErrorCodes, MfrecError } from '../errors.js';
import type { RawId } from '../data/id-map.js';
import type { ShopEvent } from './shop-event.js';

/** What a sender gives: a ShopEvent whose type and time may be left out. */
export interface ShopEventInput {
  user: RawId;
  item: RawId;
  type?: string;
  time?: number;
}

/** Longest id, as in the service's routes. */
export const MAX_ID_LENGTH = 256;
/** Event types are short names: letters, digits, '_', '-' (they become metric labels and weight keys). */
export const EVENT_TYPE_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
/** Most events in one batch (one POST /events, one append). */
export const MAX_EVENTS_PER_BATCH = 10_000;
export const DEFAULT_EVENT_TYPE = 'view';

const EVENT_KEYS = new Set(['user', 'item', 'type', 'time']);

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  return String(value);
}

function bad(where: string, index: number, field: string, expected: string, value: unknown): MfrecError {
  return new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: event ${index}: ${field} must be ${expected}, got ${describe(value)}`);
}

function checkId(where: string, index: number, field: string, value: unknown): RawId {
  if (typeof value === 'string' && value.length >= 1 && value.length <= MAX_ID_LENGTH) return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  throw bad(where, index, field, `a string of 1..${MAX_ID_LENGTH} characters or a finite number`, value);
}

/** Validates a batch and returns complete events (new objects; the input is not changed). `now` fills missing times. */
export function validateEvents(input: unknown, where: string, now = Date.now()): ShopEvent[] {
  if (!Array.isArray(input)) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: expected an array of events, got ${describe(input)}`);
  if (input.length === 0 || input.length > MAX_EVENTS_PER_BATCH) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: a batch holds 1..${MAX_EVENTS_PER_BATCH} events, got ${input.length}`);
  }
  return input.map((raw: unknown, i) => {
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw bad(where, i, 'the event', 'an object {user, item, type?, time?}', raw);
    const e = raw as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!EVENT_KEYS.has(key))
        throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${where}: event ${i}: unknown field ${JSON.stringify(key)} (known: user, item, type, time)`);
    }
    const user = checkId(where, i, 'user', e.user);
    const item = checkId(where, i, 'item', e.item);
    const type = e.type === undefined ? DEFAULT_EVENT_TYPE : e.type;
    if (typeof type !== 'string' || !EVENT_TYPE_PATTERN.test(type)) throw bad(where, i, 'type', 'a name of 1..32 letters, digits, _ or -', type);
    const time = e.time === undefined ? now : e.time;
    if (typeof time !== 'number' || !Number.isFinite(time)) throw bad(where, i, 'time', 'a finite number (milliseconds since the Unix epoch)', time);
    return { user, item, type, time };
  });
}
