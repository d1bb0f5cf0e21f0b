/** `mfrec serve` as a child process, for the tests that start, stop or kill the command itself. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');

export interface RunningServe {
  child: ChildProcess;
  /** The URL the command prints on its first stdout line. */
  url: Promise<string>;
  stderr: () => string;
  exit: Promise<number | null>;
}

export function startServe(...args: string[]): RunningServe {
  const child = spawn(process.execPath, [bin, 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', () => reject(new Error(`serve exited before printing its URL: ${err}`)));
  });
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, url, stderr: () => err, exit };
}

/** Waits for GET /health to answer 200. Bounded: 400 tries, 50 ms apart (a loaded machine can take seconds to start node and load the model). */
export async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if ((await fetch(`${url}/health`)).status === 200) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('never ready');
}
