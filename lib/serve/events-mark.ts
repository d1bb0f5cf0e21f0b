/**
 * Where the model file's events end, kept beside it (`MODEL.events-from`:
 * `{ "eventsFrom": <ms> }`), so a restarted retrain loop does not apply the
 * events the model already holds a second time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ErrorCodes, MfrecError } from '../errors.js';
import { writeFileAtomic } from '../persist/atomic-write.js';

export const eventsMarkPath = (modelFile: string): string => `${modelFile}.events-from`;

/** The time from which events are not in the model of `modelFile`, or undefined without a mark. */
export function readEventsMark(modelFile: string): number | undefined {
  const file = eventsMarkPath(modelFile);
  if (!existsSync(file)) return undefined;
  let value: unknown;
  try {
    value = (JSON.parse(readFileSync(file, 'utf8')) as { eventsFrom?: unknown }).eventsFrom;
  } catch (e) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: not a JSON events mark: ${(e as Error).message}`, { cause: e });
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new MfrecError(ErrorCodes.CORRUPT_FILE, `${file}: expected { "eventsFrom": <ms since the epoch> }, found eventsFrom ${JSON.stringify(value)}`);
  }
  return value;
}

export function writeEventsMark(modelFile: string, eventsFrom: number): Promise<void> {
  return writeFileAtomic(eventsMarkPath(modelFile), Buffer.from(`${JSON.stringify({ eventsFrom })}\n`, 'utf8'));
}
