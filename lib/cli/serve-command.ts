/**
 * `mfrec serve MODEL [--port 8080] [--host 127.0.0.1] [--no-watch] [--events DIR]` (or
 * `--model-file MODEL`, as in the other commands): the
 * recommendation service (lib/serve/) over one model file, reloaded when the
 * file is replaced. It listens at once (GET /health says 503 until the
 * model is loaded), prints its URL, and on SIGTERM or SIGINT stops taking
 * connections, answers the requests in flight and exits. With `--events DIR`
 * it takes POST /events into the durable event log in DIR (docs/events.md).
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import { ModelHandle, type ModelInfo, type Refusal } from '../serve/model-handle.js';
import { createServer } from '../serve/server.js';
import { intArg } from './parse.js';

interface ServeFlags {
  port: number;
  host: string;
  watch: boolean;
  events?: string;
}

const say = (line: string) => process.stderr.write(`mfrec serve: ${line}\n`);

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve recommendations over HTTP (JSON routes, /health, /metrics); reloads the model file when it is replaced')
    .argument('[model]', 'model file written by mfrec train (or save())')
    .option('--model-file <file>', 'the model file, as in recommend, similar, predict and report')
    .option('--port <n>', 'TCP port (0: any free port)', intArg(0, 65535), 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--no-watch', 'do not reload the model when its file is replaced')
    .option('--events <dir>', 'take POST /events into the durable event log in this folder (created if missing)')
    .action(async (positional: string | undefined, flags: ServeFlags & { modelFile?: string }) => {
      if (positional !== undefined && flags.modelFile !== undefined) {
        throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'give the model file once: as MODEL or as --model-file');
      }
      const modelFile = positional ?? flags.modelFile;
      if (modelFile === undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'no model file: mfrec serve MODEL (or --model-file MODEL)');
      await serve(modelFile, flags);
    });
}

async function openEvents(dir: string): Promise<EventLog> {
  let log: EventLog;
  try {
    log = await EventLog.open(dir);
  } catch (e) {
    if (e instanceof MfrecError) throw new MfrecError(e.code, `--events ${dir}: ${e.message}`, { cause: e });
    throw e;
  }
  const r = log.recovered;
  if (r !== undefined) say(`${log.file}: cut ${r.truncatedBytes} bytes of an unfinished write at offset ${r.at} (${r.why}); every acknowledged batch is kept`);
  return log;
}

async function serve(modelFile: string, flags: ServeFlags): Promise<void> {
  // The log first: a damaged log stops the service before it takes any event.
  const events = flags.events === undefined ? undefined : await openEvents(flags.events);
  const opening = ModelHandle.open(modelFile, { watch: flags.watch });
  // Listening does not wait for the model: a readiness probe sees 503 until it is loaded.
  const app = await createServer({ handle: opening, ...(events === undefined ? {} : { events }) });
  app.addHook('onClose', async () => events?.close());
  let url: string;
  try {
    url = await app.listen({ port: flags.port, host: flags.host });
  } catch (e) {
    await app.close();
    void opening.then(
      (h) => h.close(),
      () => undefined,
    );
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'EADDRINUSE'
        ? 'address already in use'
        : code === 'EADDRNOTAVAIL'
          ? 'no such local address'
          : code === 'EACCES'
            ? 'permission denied'
            : (e as Error).message;
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `--host ${flags.host} --port ${flags.port}: cannot listen: ${why}`, { cause: e });
  }
  process.stdout.write(`${url}\n`);
  let handle: ModelHandle;
  try {
    handle = await opening;
  } catch (e) {
    await app.close();
    throw e;
  }
  const describe = (i: ModelInfo) => `${i.type} model, version ${i.version}, checksum ${i.checksum}`;
  say(`serving ${handle.file} (${describe(handle.info)}) at ${url}${flags.watch ? ', reloading when the file is replaced' : ''}`);
  if (events !== undefined) say(`taking POST /events into ${events.file}`);
  handle.on('reload', (info: ModelInfo) => say(`reloaded ${handle.file} (${describe(info)})`));
  handle.on('refused', (r: Refusal) => say(`refused ${r.file}: ${r.error.message} [${r.error.code}]; still serving version ${handle.info.version}`));
  handle.on('watchError', (e: Error) => say(`cannot watch ${handle.file} any more: ${e.message}; restart to reload`));
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      say(`${signal}: closing (answering the requests in flight)`);
      // fastify's close() stops accepting connections and waits for the requests in flight.
      void app
        .close()
        .then(() => handle.close())
        .then(resolve, resolve);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
  });
  say('stopped');
}
