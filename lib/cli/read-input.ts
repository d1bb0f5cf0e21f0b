/**
 * Reading an input file in the CLI with a progress bar by bytes read, so a
 * large file does not leave the terminal blank for seconds (drawn only when
 * the progress is enabled and stderr is a terminal).
 */
import path from 'node:path';
import type { ReadOptions } from '../data/read-delimited.js';
import type { Progress } from './progress.js';

/** Options that report the read's progress on `progress` under `label`; call `done()` once the read ends. */
export function withReadProgress<T extends ReadOptions>(file: string, options: T, progress: Progress, label = 'reading'): { options: T; done: () => void } {
  let started = false;
  const onProgress = (read: number, total: number) => {
    if (!started) {
      progress.start(label, total, 'bytes');
      started = true;
    }
    progress.update(read, `${path.basename(file)}: ${(read / 1e6).toFixed(1)} of ${(total / 1e6).toFixed(1)} MB`);
  };
  return {
    options: { ...options, onProgress },
    done: () => {
      if (started) progress.stop();
    },
  };
}
