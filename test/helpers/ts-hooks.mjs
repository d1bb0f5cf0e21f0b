// Module hooks that let Node run the library's TypeScript sources directly:
// imports of `./x.js` resolve to `./x.ts` when only the .ts exists, and .ts
// files are transpiled (types stripped) on load. Vitest transpiles test code
// itself; these hooks are for what it does not see: the parsing threads that
// lib/data/parse-pool.ts starts from lib/data/parse-worker.(js|ts).
//
// Transpiled files are cached on disk by content hash: loading the TypeScript
// compiler takes a second or more, and every thread has its own hooks.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const cacheDir = path.join(tmpdir(), 'mfrec-ts-hooks');
let compiler;

export async function resolve(specifier, context, next) {
  if (specifier.endsWith('.js') && (specifier.startsWith('.') || specifier.startsWith('file:'))) {
    const url = new URL(specifier, context.parentURL);
    if (url.protocol === 'file:' && !existsSync(fileURLToPath(url))) {
      const source = new URL(url.href.slice(0, -3) + '.ts');
      if (existsSync(fileURLToPath(source))) return { url: source.href, shortCircuit: true };
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (!url.startsWith('file:') || !url.endsWith('.ts')) return next(url, context);
  const file = fileURLToPath(url);
  const text = readFileSync(file, 'utf8');
  const cached = path.join(cacheDir, createHash('sha256').update(file).update('\0').update(text).digest('hex') + '.js');
  if (existsSync(cached)) return { format: 'module', source: readFileSync(cached, 'utf8'), shortCircuit: true };
  compiler ??= (await import('typescript')).default;
  const out = compiler.transpileModule(text, {
    fileName: file,
    compilerOptions: { module: compiler.ModuleKind.ESNext, target: compiler.ScriptTarget.ES2022, sourceMap: false },
  });
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${cached}.${process.pid}.${Math.random().toString(36).slice(2)}`;
  writeFileSync(partial, out.outputText);
  renameSync(partial, cached);
  return { format: 'module', source: out.outputText, shortCircuit: true };
}
