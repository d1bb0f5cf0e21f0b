/**
 * `mfrec serve MODEL [--port 8080] [--host 127.0.0.1] [--no-watch] [--rules FILE] [--events DIR [--retrain-every T]]` (or
 * `--model-file MODEL`, as in the other commands): the
 * recommendation service (lib/serve/) over one model file, reloaded when the
 * file is replaced. It listens at once (GET /health says 503 until the
 * model is loaded), prints its URL, and on SIGTERM or SIGINT stops taking
 * connections, answers the requests in flight and exits. With `--events DIR`
 * it takes POST /events into the durable event log in DIR (docs/events.md),
 * and with `--retrain-every`/`--full-retrain-every` retrains from it in the
 * background, swapping a new model in through a gate (docs/retrain.md).
 *
 * `mfrec serve --demo`: the same service on a model of the shipped Online
 * Retail purchases (trained once, then cached), with the storefront page at /.
 */
import type { Command } from 'commander';
import { ErrorCodes, MfrecError } from '../errors.js';
import { EventLog } from '../events/event-log.js';
import { ModelHandle, type ModelInfo, type Refusal } from '../serve/model-handle.js';
import { ServiceRules } from '../serve/service-rules.js';
import { readRulesFile } from './rules-file.js';
import { defaultDemoCacheDir } from '../serve/demo/demo-model.js';
import type { FastifyInstance } from 'fastify';
import { intArg } from './parse.js';
import { addRetrainOptions, checkRetrainFlags, startRetrainLoop, wantsRetrain, type RetrainFlags } from './retrain-flags.js';
import type { RetrainLoop } from '../serve/retrain-loop.js';

interface ServeFlags {
  port: number;
  host: string;
  watch: boolean;
  rules?: string;
  demo?: boolean;
  demoCache?: string;
  events?: string;
}

const say = (line: string) => process.stderr.write(`mfrec serve: ${line}\n`);

export function registerServe(program: Command): void {
  const command = program
    .command('serve')
    .description('serve recommendations over HTTP (JSON routes, /health, /metrics); reloads the model file when it is replaced')
    .argument('[model]', 'model file written by mfrec train (or save())')
    .option('--model-file <file>', 'the model file, as in recommend, similar, predict and report')
    .option('--port <n>', 'TCP port (0: any free port)', intArg(0, 65535), 8080)
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--no-watch', 'do not reload the model when its file is replaced')
    .option('--rules <file>', 'business rules applied to every answer: a JSON file {allowed?, exclude?, categoryCaps?, diversity?} (docs/rules.md)')
    .option('--demo', 'no model file: serve a storefront page at / on the shipped Online Retail purchases (model trained once, then cached)')
    .option('--demo-cache <dir>', 'folder of the --demo model (default: $XDG_CACHE_HOME/mfrec or ~/.cache/mfrec)')
    .option('--events <dir>', 'take POST /events into the durable event log in this folder (created if missing)')
    .action(async (positional: string | undefined, flags: ServeFlags & RetrainFlags & { modelFile?: string }) => {
      if (flags.demo) {
        if (positional !== undefined || flags.modelFile !== undefined) {
          throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--demo serves its own model: give no model file with it');
        }
        return serveDemo(flags);
      }
      if (flags.demoCache !== undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, '--demo-cache is for --demo only');
      if (positional !== undefined && flags.modelFile !== undefined) {
        throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'give the model file once: as MODEL or as --model-file');
      }
      const modelFile = positional ?? flags.modelFile;
      if (modelFile === undefined) throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, 'no model file: mfrec serve MODEL (or --model-file MODEL)');
      // The retrain loop runs on the event log (--events): startRetrainLoop (retrain-flags.ts) starts it once the log is open.
      checkRetrainFlags(flags);
      await serve(modelFile, flags);
    });
  addRetrainOptions(command);
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
  const rules = flags.rules === undefined ? undefined : new ServiceRules(await readRulesFile(flags.rules));
  // The log first: a damaged log stops the service before it takes any event.
  const events = flags.events === undefined ? undefined : await openEvents(flags.events);
  const opening = ModelHandle.open(modelFile, { watch: flags.watch });
  // The retrain loop works on the loaded model, so with it the service listens once the model is loaded.
  let loop: RetrainLoop | undefined;
  if (events !== undefined && wantsRetrain(flags)) {
    try {
      // The loop asks for events by time and filters them; the log is ordered by arrival, not event time, so it is read whole (docs/retrain.md).
      loop = startRetrainLoop(await opening, flags, () => events.read(), say);
    } catch (e) {
      await events.close();
      throw e;
    }
  }
  // Otherwise listening does not wait for the model: a readiness probe sees 503 until it is loaded.
  // The HTTP server's modules are loaded here, not by every other command.
  const { createServer } = await import('../serve/server.js');
  const app = await createServer({
    handle: opening,
    ...(rules === undefined ? {} : { rules }),
    ...(events === undefined ? {} : { events }),
    ...(loop === undefined ? {} : { retrainLoop: loop }),
  });
  app.addHook('onClose', async () => {
    loop?.stop();
    await events?.close();
  });
  let url: string;
  try {
    url = await listen(app, flags);
  } catch (e) {
    void opening.then(
      (h) => h.close(),
      () => undefined,
    );
    throw e;
  }
  process.stdout.write(`${url}\n`);
  let handle: ModelHandle;
  try {
    handle = await opening;
  } catch (e) {
    await app.close();
    throw e;
  }
  if (rules !== undefined) {
    // Rules the model refuses (a bad cap, say) stop the service now rather than failing every request.
    const lease = handle.acquire();
    let refusal: Error | undefined;
    try {
      rules.for(lease.model);
    } catch (e) {
      refusal = e as Error;
    } finally {
      lease.release();
    }
    if (refusal !== undefined) {
      await app.close();
      await handle.close();
      const code = refusal instanceof MfrecError ? refusal.code : ErrorCodes.INVALID_ARGUMENT;
      throw new MfrecError(code, `--rules ${flags.rules}: ${refusal.message}`, { cause: refusal });
    }
  }
  const describe = (i: ModelInfo) => `${i.type} model, version ${i.version}, checksum ${i.checksum}`;
  say(`serving ${handle.file} (${describe(handle.info)}) at ${url}${flags.watch ? ', reloading when the file is replaced' : ''}`);
  if (events !== undefined) say(`taking POST /events into ${events.file}${loop === undefined ? '' : ', retraining from them in the background'}`);
  handle.on('reload', (info: ModelInfo) => say(`reloaded ${handle.file} (${describe(info)})`));
  handle.on('refused', (r: Refusal) => say(`refused ${r.file}: ${r.error.message} [${r.error.code}]; still serving version ${handle.info.version}`));
  handle.on('watchError', (e: Error) => say(`cannot watch ${handle.file} any more: ${e.message}; restart to reload`));
  await untilSignal(async () => {
    await app.close();
    await handle.close();
  });
  say('stopped');
}

async function serveDemo(flags: ServeFlags): Promise<void> {
  const cacheDir = flags.demoCache ?? defaultDemoCacheDir();
  say(`--demo: reading the Online Retail purchases; the model is trained on the first start, then read from ${cacheDir}`);
  const { createStorefront } = await import('../serve/demo/storefront-server.js');
  const shop = await createStorefront({ cacheDir });
  let url: string;
  try {
    url = await listen(shop.app, flags);
  } catch (e) {
    await shop.model.handle.close();
    throw e;
  }
  process.stdout.write(`${url}\n`);
  const how = shop.model.trained ? 'trained now' : 'from the cache';
  say(`storefront at ${url}/ (${shop.shop.customers.length} customers to pick from; ALS model ${how}: ${shop.model.handle.file})`);
  await untilSignal(() => shop.close());
  say('stopped');
}

/** Listens; a port that is taken (or another listening failure) is a one-line error naming the flags. Closes the app on failure. */
async function listen(app: FastifyInstance, flags: ServeFlags): Promise<string> {
  try {
    return await app.listen({ port: flags.port, host: flags.host });
  } catch (e) {
    await app.close();
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
}

/** Resolves once SIGTERM or SIGINT arrived and `close` (stop taking connections, answer the requests in flight) is done. */
function untilSignal(close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      process.off('SIGTERM', onTerm);
      process.off('SIGINT', onInt);
      say(`${signal}: closing (answering the requests in flight)`);
      // fastify's close() stops accepting connections and waits for the requests in flight.
      void close().then(resolve, resolve);
    };
    const onTerm = () => stop('SIGTERM');
    const onInt = () => stop('SIGINT');
    process.once('SIGTERM', onTerm);
    process.once('SIGINT', onInt);
  });
}
