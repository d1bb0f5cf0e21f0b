#!/usr/bin/env node
// Makes sure the native addon and the compiled TypeScript exist and are not
// older than their sources, building what is missing. Run before tests and the
// demo, so a fresh clone needs only `npm install` and then `npm test` / `npm run demo`.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function newest(dir, filter) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, filter));
    else if (filter(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function mtime(p) {
  return existsSync(p) ? statSync(p).mtimeMs : 0;
}

function run(script) {
  process.stderr.write(`mfrec: npm run ${script}\n`);
  execFileSync(npm, ['run', '--silent', script], { cwd: root, stdio: 'inherit', env: nodedirEnv() });
}

// node-gyp must not try to download Node headers (no network on many build hosts):
// point it at the headers of the running Node.
function nodedirEnv() {
  const env = { ...process.env };
  if (!env.npm_config_nodedir) {
    const prefix = path.resolve(process.execPath, '..', '..');
    if (existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  }
  return env;
}

const addon = path.join(root, 'build', 'Release', 'mfrec.node');
const hasPrebuild = existsSync(path.join(root, 'prebuilds'));
const nativeSources = Math.max(
  newest(path.join(root, 'native'), (n) => /\.(cc|h|txt)$/.test(n)),
  mtime(path.join(root, 'binding.gyp')),
);
if (existsSync(path.join(root, 'native'))) {
  if (!hasPrebuild || existsSync(addon)) {
    if (mtime(addon) < nativeSources) run('build:native');
  }
}
const tsSources = newest(path.join(root, 'lib'), (n) => n.endsWith('.ts'));
const tsOutput = newest(path.join(root, 'dist'), (n) => n.endsWith('.js'));
if (tsSources > 0 && tsOutput < tsSources) run('build:ts');
