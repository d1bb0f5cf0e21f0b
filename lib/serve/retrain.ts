/**
 * "Retrain in the background and swap when done": reading and training run
 * in a child process (retrain-child.ts, at lower CPU priority), which saves
 * the new model atomically over the handle's file (or `out`); the handle then
 * reloads it through its checks and gate. The server's event loop only
 * waits for a message.
 */
import { fork } from 'node:child_process';
import { setPriority } from 'node:os';
import { resolve } from 'node:path';
import { ErrorCodes, MfrecError } from '../errors.js';
import { integer, invalid, knownOptions } from '../validate.js';
import type { ModelHandle, ReloadOutcome } from './model-handle.js';
import type { RetrainData, RetrainJob, RetrainReply, Trained } from './retrain-job.js';

export type { RetrainData } from './retrain-job.js';

export interface RetrainOptions {
  handle: ModelHandle;
  data: RetrainData;
  /** Model family (default: the running model's) and hyperparameters (default: the running model's). */
  model?: { type?: string; params?: Record<string, unknown> };
  /** Where to save; default the handle's file, which the handle then reloads. */
  out?: string;
  /** Kills the child: the call rejects with ERR_MFREC_ABORTED and the running model stays. */
  signal?: AbortSignal;
  /** Niceness of the child (0 to 19, higher yields more CPU to the server). Default 10. */
  niceness?: number;
}

export interface RetrainResult {
  trained: Trained;
  reload: ReloadOutcome;
}

/** Trains in a child process, then reloads the handle; rejects with the child's typed error or the handle's refusal. */
export async function retrainInBackground(options: RetrainOptions): Promise<RetrainResult> {
  const o = knownOptions('retrainInBackground', options, ['handle', 'data', 'model', 'out', 'signal', 'niceness']);
  const handle = o.handle as ModelHandle;
  if (handle === null || typeof handle !== 'object' || typeof handle.reload !== 'function') throw invalid('a ModelHandle', 'handle', handle);
  const data = o.data as RetrainData;
  if (
    data === null ||
    typeof data !== 'object' ||
    (typeof (data as { file?: unknown }).file !== 'string' && typeof (data as { onlineRetail?: unknown }).onlineRetail !== 'string')
  ) {
    throw invalid('{ file, read? } or { onlineRetail, options? }', 'data', data);
  }
  const model = (o.model ?? {}) as NonNullable<RetrainOptions['model']>;
  const out = o.out === undefined ? handle.file : resolve(String(o.out));
  const niceness = o.niceness === undefined ? 10 : integer('niceness', o.niceness, 0, 19);
  const running = handle.model;
  const job: RetrainJob = {
    data,
    model: { type: model.type ?? running.type, params: model.params ?? { ...running.params } },
    out,
  };
  const trained = await runChild(job, niceness, o.signal as AbortSignal | undefined);
  if (out !== handle.file) return { trained, reload: { status: 'unchanged', info: handle.info } };
  return { trained, reload: await handle.reload() };
}

function runChild(job: RetrainJob, niceness: number, signal: AbortSignal | undefined): Promise<Trained> {
  return new Promise((resolvePromise, reject) => {
    if (signal?.aborted) return reject(new MfrecError(ErrorCodes.ABORTED, 'retrainInBackground was aborted'));
    const child = fork(new URL('./retrain-child.js', import.meta.url), { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let reply: RetrainReply | undefined;
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.once('spawn', () => {
      try {
        if (child.pid !== undefined) setPriority(child.pid, niceness);
      } catch {
        // Lowering a child's priority can be refused (containers); training then competes at the same priority.
      }
      child.send(job);
    });
    child.on('message', (m: RetrainReply) => (reply = m));
    child.once('error', (e) => reject(new MfrecError(ErrorCodes.IO, `retrainInBackground: cannot start the training process: ${e.message}`, { cause: e })));
    child.once('exit', (code, sig) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) return reject(new MfrecError(ErrorCodes.ABORTED, 'retrainInBackground was aborted: the training process was stopped'));
      if (reply === undefined)
        return reject(new MfrecError(ErrorCodes.NATIVE, `retrainInBackground: the training process ended (${sig ?? `exit code ${code}`}) without a result`));
      if (!reply.ok) return reject(new MfrecError(reply.code ?? ErrorCodes.IO, `retrainInBackground: ${reply.message}`));
      const { ok: _ok, ...trained } = reply;
      resolvePromise(trained);
    });
  });
}
