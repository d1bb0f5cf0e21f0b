// Child process for test/persist/kill-safety.test.ts: loads two models and saves them
// alternately to one target, forever, printing "saved <n>" after each save.
// The test SIGKILLs it at random moments. Uses the compiled library (dist/).
import { loadModel } from '../../dist/index.js';

const [a, b, target] = process.argv.slice(2);
const models = [await loadModel(a), await loadModel(b)];
process.stdout.write('ready\n');
for (let n = 0; ; n++) {
  await models[n % 2].save(target);
  process.stdout.write(`saved ${n}\n`);
}
