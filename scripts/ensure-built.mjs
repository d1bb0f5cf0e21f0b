#!/usr/bin/env node
// Brings a checkout up to date before the tests and the demo, so a fresh clone
// needs nothing but `npm test` or `npm run demo`: installs the dependencies
// when node_modules is missing or does not match package-lock.json, then
// builds the native addon and the TypeScript when they are missing or older
// than their sources. Uses only Node's own modules: it runs before anything is
// installed.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { staleDependencies } from './stale-dependencies.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

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
  npm(['run', '--silent', script]);
}

// Runs npm with this script's environment plus the Node headers' location.
// Under `npm run`, npm_execpath is npm's own CLI script: running it with this
// Node avoids looking npm up on PATH (and Windows' npm.cmd, which needs a shell).
function npm(args) {
  process.stderr.write(`mfrec: npm ${args.join(' ')}\n`);
  const cli = process.env.npm_execpath;
  const [file, argv, shell] = cli && /\.[cm]?js$/.test(cli) ? [process.execPath, [cli, ...args], false] : ['npm', args, process.platform === 'win32'];
  execFileSync(file, argv, { cwd: root, stdio: 'inherit', env: nodedirEnv(), shell });
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

const stale = staleDependencies(root);
if (stale) {
  process.stderr.write(`mfrec: installing dependencies (${stale})\n`);
  // Installing also builds the addon (the install script) and the TypeScript (prepare).
  npm(existsSync(path.join(root, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund']);
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
