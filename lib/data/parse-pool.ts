/**
 * A few parsing threads (`worker_threads` running parse-worker.js) that take
 * chunk tasks from one queue: a thread that finishes a chunk takes the next,
 * so uneven chunks balance out. Results come back as promises, one per task.
 */
import { Worker } from 'node:worker_threads';
import type { ChunkResult, ChunkTask } from './chunk-parse.js';
import type { RecordRules } from './record-reader.js';

/** What a parsing thread starts with. */
export interface ParseThreadData {
  /** The thread's number in its pool, reported with each result. */
  thread: number;
  rules: RecordRules;
}

interface Job {
  task: ChunkTask;
  resolve: (result: ChunkResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  worker: Worker;
  job: Job | undefined;
}

export class ParsePool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private failure: unknown;

  constructor(threads: number, rules: RecordRules) {
    for (let t = 0; t < threads; t++) {
      const workerData: ParseThreadData = { thread: t, rules };
      const worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData });
      const slot: Slot = { worker, job: undefined };
      worker.on('message', (result: ChunkResult) => {
        const job = slot.job;
        // A result that arrives after close() has no one waiting for it.
        if (!job) return;
        slot.job = undefined;
        job.resolve(result);
        this.next(slot);
      });
      worker.on('error', (e) => this.fail(e));
      worker.on('exit', (code) => {
        if (slot.job) this.fail(new Error(`a parsing thread exited with code ${code}`));
      });
      this.slots.push(slot);
    }
  }

  /** Parses `task` on the first free thread. The chunk's buffer is shared, not copied. */
  parse(task: ChunkTask): Promise<ChunkResult> {
    return new Promise((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      this.queue.push({ task, resolve, reject });
      const idle = this.slots.find((s) => s.job === undefined);
      if (idle) this.next(idle);
    });
  }

  /** Chunks given and not yet returned: being parsed or waiting for a thread. */
  get pending(): number {
    return this.queue.length + this.slots.filter((s) => s.job !== undefined).length;
  }

  get threads(): number {
    return this.slots.length;
  }

  /** Stops every thread; pending results are dropped. */
  async close(): Promise<void> {
    this.queue.length = 0;
    for (const slot of this.slots) slot.job = undefined;
    await Promise.all(this.slots.map((s) => s.worker.terminate()));
  }

  private next(slot: Slot): void {
    const job = this.queue.shift();
    if (!job) return;
    slot.job = job;
    slot.worker.postMessage(job.task);
  }

  /** A thread died: every pending and later task fails with its error. */
  private fail(e: unknown): void {
    this.failure ??= e;
    for (const slot of this.slots) {
      slot.job?.reject(this.failure);
      slot.job = undefined;
    }
    for (const job of this.queue.splice(0)) job.reject(this.failure);
  }
}
