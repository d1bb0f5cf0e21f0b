/**
 * A real PostgreSQL server for tests, from Debian's `postgresql` package
 * (`apt-get install postgresql`; .ci/run installs it): a fresh cluster in a
 * temporary folder, on a free local port, started as the `postgres` user when
 * running as root (the server refuses to run as root), stopped and removed by
 * `stop()` (or when the process exits).
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

const run = promisify(execFile);

export interface PostgresServer {
  /** `postgres://postgres@127.0.0.1:PORT/postgres` */
  url: string;
  port: number;
  stop(): Promise<void>;
}

const POSTGRES_ROOT = '/usr/lib/postgresql';

function installedVersions(): string[] {
  const root = POSTGRES_ROOT;
  return existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
}

/** Whether Debian's PostgreSQL server is installed. */
export function postgresInstalled(): boolean {
  return installedVersions().length > 0;
}

/** The newest installed server's bin folder, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBin(): string {
  const root = POSTGRES_ROOT;
  const versions = installedVersions();
  if (versions.length === 0) throw new Error('PostgreSQL is not installed: apt-get install -y postgresql');
  versions.sort((a, b) => Number(b) - Number(a));
  return path.join(root, versions[0]!, 'bin');
}

/**
 * The server's environment: ours without the sanitizer runtime that the
 * instrumented test run preloads (PostgreSQL's own programs are not built for
 * it, and initdb stalls under it).
 */
function serverEnvironment(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['LD_PRELOAD', 'ASAN_OPTIONS', 'UBSAN_OPTIONS', 'TSAN_OPTIONS', 'LSAN_OPTIONS']) delete env[name];
  return env;
}

export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBin();
  const asRoot = process.getuid?.() === 0;
  // As root, every command runs as `postgres`, which must own the folders and reach them.
  const as = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-pg-'));
  chmodSync(dir, 0o755);
  const data = path.join(dir, 'data');
  const sock = path.join(dir, 'sock');
  const log = path.join(sock, 'pg.log');
  for (const d of [data, sock]) {
    mkdirSync(d, { mode: 0o700 });
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
      chownSync(d, uid, gid);
    }
  }
  const pgCtl = path.join(bin, 'pg_ctl');
  const env = serverEnvironment();
  let started = false;
  const stopSync = (): void => {
    if (started) {
      try {
        execFileSync(...as(pgCtl, ['-D', data, '-m', 'immediate', 'stop']), { stdio: 'ignore', env });
      } catch {
        // already stopped
      }
      started = false;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', stopSync);
  try {
    await run(...as(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']), { env });
    for (let attempt = 0; ; attempt++) {
      const port = await freePort();
      try {
        await run(...as(pgCtl, ['-D', data, '-o', `-p ${port} -k ${sock} -c listen_addresses=127.0.0.1 -c fsync=off`, '-l', log, '-w', 'start']), { env });
        started = true;
        return {
          url: `postgres://postgres@127.0.0.1:${port}/postgres`,
          port,
          stop: async () => {
            process.removeListener('exit', stopSync);
            stopSync();
          },
        };
      } catch (e) {
        // Another process took the port between the probe and the start: try another.
        if (attempt < 3 && existsSync(log) && /could not bind|Address already in use/.test(readFileSync(log, 'utf8'))) continue;
        throw e;
      }
    }
  } catch (e) {
    const logText = existsSync(log) ? readFileSync(log, 'utf8').slice(-2000) : '';
    stopSync();
    throw new Error(`Cannot start PostgreSQL: ${(e as Error).message}\n${logText}`);
  }
}
