/**
 * Progress bars for the CLI: drawn on stderr only when it is a terminal and
 * the output is for humans; silent in pipes, logs and --json runs.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  /** `bytes`: value and total are byte counts, shown as a percentage (the detail says how many). */
  start(label: string, total: number, unit?: 'count' | 'bytes'): void;
  update(value: number, detail?: string): void;
  stop(): void;
}

const silent: Progress = { start() {}, update() {}, stop() {} };

export function createProgress(enabled: boolean): Progress {
  if (!enabled || !process.stderr.isTTY) return silent;
  let bar: cliProgress.SingleBar | undefined;
  return {
    start(label, total, unit = 'count') {
      bar?.stop();
      const amount = unit === 'bytes' ? '{percentage}%' : '{value}/{total}';
      bar = new cliProgress.SingleBar(
        { format: `${label.padEnd(14)} [{bar}] ${amount} {detail}`, stream: process.stderr, hideCursor: true, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { detail: '' });
    },
    update(value, detail = '') {
      bar?.update(value, { detail });
    },
    stop() {
      bar?.stop();
      bar = undefined;
    },
  };
}
