/**
 * Entry point of a parsing thread (see parse-pool.ts): parses the chunks it is
 * sent with the rules it was started with, and sends each result back with
 * its columns transferred, not copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseChunk, transferables, type ChunkTask } from './chunk-parse.js';
import type { RecordRules } from './record-reader.js';

const rules = workerData as RecordRules;
const port = parentPort!;

port.on('message', (task: ChunkTask) => {
  const result = parseChunk(task, rules);
  port.postMessage(result, transferables(result));
});
