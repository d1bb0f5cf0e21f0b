// Child process for test/models/base/concurrency.test.ts: starts a long native fit in a
// worker per model type, terminates every worker while its kernel runs, then
// trains on the main thread to show the process and the addon still work.
// Prints "survived <n>" and exits 0 when all went well.
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ImplicitALS, Interactions } from '../../dist/index.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const rounds = Number(process.argv[2] ?? 1);
let terminated = 0;
for (let round = 0; round < rounds; round++) {
  await Promise.all(
    ['als', 'bpr', 'explicit'].map(async (model) => {
      const w = new Worker(path.join(here, 'worker-job.mjs'), { workerData: { job: 'long', model, seed: round + 1 } });
      // Terminate once the first iteration is done: the second is inside the kernel.
      await new Promise((resolve, reject) => {
        w.on('message', (m) => m === 'iteration' && resolve());
        w.once('error', reject);
        w.once('exit', (code) => reject(new Error(`worker exited early (${code})`)));
      });
      await new Promise((r) => setTimeout(r, 50 + 100 * round));
      await w.terminate();
      terminated++;
    }),
  );
}
// Kernels still queued in the thread pool finish after their environment is gone; give them time.
await new Promise((r) => setTimeout(r, 1500));
const users = Array.from({ length: 200 }, (_, k) => k % 50);
const m = await new ImplicitALS({ factors: 4, iterations: 2, threads: 1 }).fit(
  Interactions.fromArrays(
    users,
    users.map((u) => u % 7),
  ),
);
if (m.recommend(1, { k: 3 }).length !== 3) throw new Error('recommend after termination failed');
process.stdout.write(`survived ${terminated}\n`);
