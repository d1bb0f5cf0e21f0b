/**
 * The child process of retrainInBackground: reads the data, trains, saves
 * the model atomically, reports, exits. It runs apart from the server so
 * that parsing and training never hold the server's event loop.
 */
import { readOnlineRetail } from '../data/online-retail.js';
import { readInteractions } from '../data/read-delimited.js';
import { ErrorCodes, isMfrecError, MfrecError } from '../errors.js';
import { MODEL_TYPES, MODELS, modelType } from '../models/registry.js';
import type { RetrainJob, RetrainReply } from './retrain-job.js';

async function run(job: RetrainJob): Promise<RetrainReply> {
  const started = performance.now();
  const type = modelType(job.model.type);
  if (type === undefined)
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `retrain: unknown model type ${JSON.stringify(job.model.type)} (known: ${MODEL_TYPES.join(', ')})`);
  const data =
    'onlineRetail' in job.data
      ? (await readOnlineRetail(job.data.onlineRetail, job.data.options)).interactions
      : (await readInteractions(job.data.file, job.data.read)).interactions;
  const model = MODELS[type].create(job.model.params ?? {});
  await model.fit(data);
  await model.save(job.out);
  return { ok: true, users: data.nUsers, items: data.nItems, interactions: data.nnz, seconds: (performance.now() - started) / 1000 };
}

process.once('message', (job: RetrainJob) => {
  run(job)
    .catch((e: unknown): RetrainReply => ({ ok: false, code: isMfrecError(e) ? e.code : undefined, message: e instanceof Error ? e.message : String(e) }))
    .then((reply) => process.send!(reply, () => process.exit(0)));
});
