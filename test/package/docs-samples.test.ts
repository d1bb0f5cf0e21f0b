/**
 * Every TypeScript or JavaScript sample in README.md and docs/*.md is
 * type-checked, strictly, as a module that imports 'mfrec' the way a user's
 * code does ('mfrec' resolves to lib/index.ts; @types/node is present, as in a
 * Node project). A sample that is a fragment declares what it uses
 * (`declare const model: ImplicitALS;`). Each sample is written to its own
 * file, padded so that tsc's line numbers are the line numbers in the doc.
 * Every `mfrec` command line in a shell sample names a command and flags that
 * the CLI has.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerCommands } from '../../lib/cli/commands.js';

const root = path.resolve(__dirname, '..', '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

interface Sample {
  doc: string; // relative to the repository root
  line: number; // 1-based line of the sample's first code line
  file: string; // the file the sample is checked as
  code: string;
}

const FENCE = /^```(ts|typescript|tsx|js|javascript|mjs)\s*$/;

function samplesOf(doc: string): Sample[] {
  const lines = readFileSync(path.join(root, doc), 'utf8').split('\n');
  const samples: Sample[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`${doc}:${i + 1}: code block never closed`);
    const ext = /^(js|javascript|mjs)$/.test(open[1]!) ? 'mts' : 'ts';
    const file = `${doc.replace(/[/\\]/g, '__')}.line${i + 2}.${ext}`;
    samples.push({ doc, line: i + 2, file, code: '\n'.repeat(i + 1) + lines.slice(i + 1, end).join('\n') + '\n' });
    i = end;
  }
  return samples;
}

const docs = [
  'README.md',
  ...readdirSync(path.join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const samples = docs.flatMap(samplesOf);
let work = '';
const errors = new Map<string, string[]>();

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'mfrec-docs-'));
  mkdirSync(path.join(work, 'samples'));
  for (const s of samples) writeFileSync(path.join(work, 'samples', s.file), s.code);
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'docs-samples', type: 'module', private: true }));
  writeFileSync(
    path.join(work, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        moduleDetection: 'force', // each sample is its own module, even one without imports
        skipLibCheck: true,
        types: ['node'],
        typeRoots: [path.join(root, 'node_modules', '@types')],
        paths: {
          mfrec: [path.join(root, 'lib', 'index.ts')],
          // The service's entry, and the server it plugs into (docs/serve.md).
          'mfrec/fastify': [path.join(root, 'lib', 'serve', 'index.ts')],
          fastify: [path.join(root, 'node_modules', 'fastify', 'fastify.d.ts')],
        },
      },
      include: ['samples'],
    }),
  );
  let out = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', work], { cwd: work, encoding: 'utf8' });
  } catch (e) {
    out = String((e as { stdout?: string }).stdout ?? e);
  }
  // "samples/README.md.line57.ts(60,3): error TS2304: ..." -> "README.md:60:3 error TS2304: ..."
  for (const line of out.split('\n').filter((l) => /error TS\d+/.test(l))) {
    const m = /^samples\/([^()]+)\((\d+),(\d+)\): (.*)$/.exec(line);
    const sample = m && samples.find((s) => s.file === m[1]);
    const key = sample ? sample.file : '(outside the samples)';
    errors.set(key, [...(errors.get(key) ?? []), sample ? `${sample.doc}:${m![2]}:${m![3]} ${m![4]}` : line]);
  }
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('code samples in README.md and docs/', () => {
  it('exist (the extraction found the samples)', () => {
    expect(samples.filter((s) => s.doc === 'README.md').length).toBeGreaterThanOrEqual(2);
    expect(new Set(samples.map((s) => s.doc)).size).toBeGreaterThanOrEqual(3);
  });

  it('type-check without errors outside any sample (the library itself, as a sample sees it)', () => {
    expect(errors.get('(outside the samples)') ?? []).toEqual([]);
  });

  it.each(samples.map((s) => [`${s.doc}:${s.line}`, s] as const))('%s type-checks (strict)', (_where, s) => {
    expect(errors.get(s.file) ?? []).toEqual([]);
  });
});

interface CommandLine {
  where: string; // doc:line
  words: string[]; // after `mfrec`
}

/** `mfrec ...` lines of the ```sh blocks (continuation lines joined, comments and redirections cut). */
function commandLinesOf(doc: string): CommandLine[] {
  const lines = readFileSync(path.join(root, doc), 'utf8').split('\n');
  const found: CommandLine[] = [];
  let inShell = false;
  for (let i = 0; i < lines.length; i++) {
    if (/^```/.test(lines[i]!)) {
      inShell = !inShell && /^```(sh|bash|shell|console)\s*$/.test(lines[i]!);
      continue;
    }
    if (!inShell) continue;
    const first = i;
    let text = lines[i]!;
    while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + ' ' + lines[++i]!;
    const m = /^\s*(?:npx\s+)?mfrec(\s.*)?$/.exec(text.replace(/\s#.*$/, ''));
    if (!m) continue;
    const words = (m[1] ?? '').split(/[|<>]/)[0]!.trim().split(/\s+/).filter(Boolean);
    found.push({ where: `${doc}:${first + 1}`, words });
  }
  return found;
}

const commandLines = docs.flatMap(commandLinesOf);

const program = new Command();
await registerCommands(program);

describe('mfrec command lines in README.md and docs/', () => {
  it('exist (the extraction found them)', () => {
    expect(commandLines.length).toBeGreaterThanOrEqual(10);
  });

  it.each(commandLines.map((c) => [c.where, c] as const))('%s uses a command and flags the CLI has', (_where, c) => {
    const [name, ...rest] = c.words;
    if (name === undefined || name.startsWith('-')) return; // `mfrec --help`, `mfrec --version`: the program's own flags
    let command = program.commands.find((k) => k.name() === name);
    expect(command, `no command "${name}"`).toBeDefined();
    // `mfrec batch recommend ...`: the flags are the subcommand's.
    const sub = command!.commands.find((k) => k.name() === rest[0]);
    if (command!.commands.length > 0) expect(sub, `no command "${name} ${rest[0]}"`).toBeDefined();
    if (sub !== undefined) command = sub;
    const known = new Set(command!.options.flatMap((o) => [o.long, o.short]).filter(Boolean));
    known.add('--help').add('-h');
    const unknown = rest
      .filter((w) => w.startsWith('-'))
      .map((w) => w.split('=')[0]!)
      .filter((f) => !known.has(f));
    expect(unknown).toEqual([]);
  });
});
