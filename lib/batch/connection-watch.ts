/**
 * How long a worker goes on without Redis. Its client reconnects by itself
 * (a restarted Redis is picked up again), but not for ever: once Redis has
 * been out of reach for `waitMs` in a row, `lost` rejects with one line
 * naming the URL and the flag, and the worker exits instead of waiting
 * unseen. Its shards are then rerun by other workers once their locks expire.
 */
import type { RedisClient, Worker } from 'bullmq';
import { ErrorCodes, MfrecError } from '../errors.js';

/** How often the connection's state is looked at. */
const CHECK_MS = 250;

export interface ConnectionWatch {
  /** Rejects (ERR_MFREC_IO) once Redis has been out of reach for the wait; never resolves. */
  lost: Promise<never>;
  /** Whether Redis is out of reach now. */
  down(): boolean;
  /** Ends the watch (the worker is stopping). */
  stop(): void;
}

export interface WatchSettings {
  /** The URL without its password, for the message. */
  shown: string;
  /** The reason to quote: the client's last error. */
  lastError: () => string | undefined;
  /** Called when Redis answers again after being out of reach. */
  onBack?: () => void;
}

export function watchConnection(worker: Worker, waitMs: number, w: WatchSettings): ConnectionWatch {
  let client: RedisClient | undefined;
  // Until the client exists (or if it never does: Redis gone before the first connection) the clock runs.
  worker
    .getBackend()
    .client.then((c) => (client = c))
    .catch(() => undefined);
  let outageSince: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  const lost = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      if (client?.status === 'ready') {
        if (outageSince !== undefined) w.onBack?.();
        outageSince = undefined;
        return;
      }
      outageSince ??= Date.now();
      if (Date.now() - outageSince < waitMs) return;
      clearInterval(timer);
      const reason = w.lastError() ?? `connection ${client?.status ?? 'not made'}`;
      reject(
        new MfrecError(
          ErrorCodes.IO,
          `Lost Redis at ${w.shown} (--redis) for ${Math.round(waitMs / 1000)} s: ${reason}; the worker stops (its shards are rerun by other workers)`,
        ),
      );
    }, CHECK_MS);
  });
  // Nobody may be awaiting `lost` yet when it rejects.
  lost.catch(() => undefined);
  return { lost, down: () => client?.status !== 'ready', stop: () => clearInterval(timer) };
}
