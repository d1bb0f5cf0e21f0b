/**
 * Entry point of a parsing thread (see parse-pool.ts): parses the chunks it is
 * sent with the rules it was started with, into id tables it keeps for its
 * whole life, and sends each result back with its columns transferred, not
 * copied.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseChunk, threadState, transferables, type ChunkTask } from './chunk-parse.js';
import type { ParseThreadData } from './parse-pool.js';

const data = workerData as ParseThreadData;
const state = threadState(data.thread, data.rules);
const port = parentPort!;

port.on('message', (task: ChunkTask) => {
  const result = parseChunk(task, state);
  port.postMessage(result, transferables(result));
});
