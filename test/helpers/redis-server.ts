/**
 * A real Redis server for tests, from Debian's `redis-server` package
 * (`apt-get install redis-server`; .ci/run installs it): started on a free
 * local port in a temporary folder with persistence off (`--save ''
 * --appendonly no`), stopped and removed by `stop()` (or when the process exits).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';

export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const REDIS_SERVER = '/usr/bin/redis-server';

/** Whether Debian's Redis server is installed. */
export function redisInstalled(): boolean {
  return existsSync(REDIS_SERVER) && spawnSync(REDIS_SERVER, ['--version']).status === 0;
}

/** Resolves once the port takes connections; rejects when the server exits or 10 s pass. */
async function waitForPort(port: number, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = createConnection({ port, host: '127.0.0.1' }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('redis-server did not listen within 10 s');
}

/** Starts a server on a free port, or on `fixedPort` (a server restarted where its clients left it). */
export async function startRedis(fixedPort?: number): Promise<RedisServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-redis-'));
  const log = path.join(dir, 'redis.log');
  for (let attempt = 0; ; attempt++) {
    const port = fixedPort ?? (await freePort());
    const child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', log, '--daemonize', 'no'],
      { stdio: 'ignore' },
    );
    const stopSync = (): void => {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    };
    process.once('exit', stopSync);
    try {
      await waitForPort(port, child);
      return {
        url: `redis://127.0.0.1:${port}`,
        port,
        stop: async () => {
          process.removeListener('exit', stopSync);
          if (child.exitCode === null) {
            const exited = new Promise((r) => child.once('exit', r));
            child.kill('SIGTERM');
            await exited;
          }
          rmSync(dir, { recursive: true, force: true });
        },
      };
    } catch (e) {
      const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
      process.removeListener('exit', stopSync);
      if (child.exitCode === null) child.kill('SIGKILL');
      // Another process took the port between the probe and the start: try another.
      if (fixedPort === undefined && attempt < 3 && /Address already in use/.test(text)) continue;
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`Cannot start redis-server: ${(e as Error).message}\n${text.slice(-2000)}`);
    }
  }
}
