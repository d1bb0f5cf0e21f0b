/**
 * The published declarations must compile in a strict TypeScript project that
 * has no @types/node: no Node-only type (Buffer, NodeJS.*, node: modules) may be
 * reachable from dist/index.d.ts. The declarations are emitted from lib/ with the
 * package's own tsconfig straight into a consumer folder's node_modules/mfrec/dist
 * (dist/ itself is left alone: other tests run the built CLI), next to a copy of
 * package.json, in a folder with no node_modules above it, so nothing from this
 * repository (its @types/node included) can be resolved.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');

/** Uses what a consumer of the package would import, so the types are exercised, not just loaded. */
const consumerSource = `
import {
  ExplicitMF, ImplicitALS, BPR, Popularity, Interactions, MfrecError, ErrorCodes, isMfrecError,
  loadModel, readInteractions, perUserSplit, compareRanking, tune, renderReport, libraryInfo,
  type ErrorCode, type Recommendation, type LoadedModel,
} from 'mfrec';

const data = Interactions.fromArrays(['a', 'b'], ['x', 'y'], { values: [5, 3] });
const mf = new ExplicitMF({ factors: 8 });
const rec: Recommendation[] = new ImplicitALS().recommend('a', { k: 2 });
const loaded: Promise<LoadedModel> = loadModel('m.mfrec');
const code: ErrorCode = ErrorCodes.PARSE;
void [data, mf, rec, loaded, code, BPR, Popularity, readInteractions, perUserSplit, compareRanking, tune, renderReport, libraryInfo];

try {
  mf.predict('a', 'x');
} catch (e) {
  if (e instanceof MfrecError) {
    // MfrecError.code is the closed set of codes, so a switch over it is exhaustive.
    const c: ErrorCode = e.code;
    void c;
  }
  if (isMfrecError(e, ErrorCodes.NOT_FITTED)) void e.message;
}
`;

/** CommonJS code that requires the ES module package (Node >= 20.19; TypeScript >= 5.8 under nodenext). */
const commonJsSource = `
import mfrec = require('mfrec');
const code: mfrec.ErrorCode = mfrec.ErrorCodes.PARSE;
const model: mfrec.ImplicitALS = new mfrec.ImplicitALS({ factors: 8 });
void [code, model];
`;

let work = '';

function compile(compilerOptions: Record<string, unknown>, files = ['consumer.ts']): string {
  writeFileSync(
    path.join(work, 'tsconfig.json'),
    JSON.stringify({ compilerOptions: { strict: true, noEmit: true, skipLibCheck: false, types: [], ...compilerOptions }, files }),
  );
  try {
    execFileSync(process.execPath, [tsc, '-p', work], { cwd: work, encoding: 'utf8' });
    return '';
  } catch (e) {
    return String((e as { stdout?: string }).stdout ?? e);
  }
}

beforeAll(() => {
  work = mkdtempSync(path.join(os.tmpdir(), 'mfrec-consumer-'));
  const pkg = path.join(work, 'node_modules', 'mfrec');
  const emit = ['-p', path.join(root, 'tsconfig.json'), '--emitDeclarationOnly', '--declarationMap', 'false', '--outDir', path.join(pkg, 'dist')];
  execFileSync(process.execPath, [tsc, ...emit], { cwd: root });
  cpSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
  writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', type: 'module', private: true }));
  writeFileSync(path.join(work, 'consumer.ts'), consumerSource);
  writeFileSync(path.join(work, 'consumer-cjs.cts'), commonJsSource);
}, 120_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

// Each case runs tsc over every declaration: allow for a loaded machine.
describe('published types in a project without @types/node', { timeout: 120_000 }, () => {
  it('compile under strict NodeNext with every declaration checked (skipLibCheck off)', () => {
    expect(compile({ target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext' })).toBe('');
  });

  it('compile for CommonJS code that require()s the package (module nodenext)', () => {
    expect(compile({ target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext' }, ['consumer-cjs.cts'])).toBe('');
  });

  it('compile under strict bundler resolution', () => {
    expect(compile({ target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler' })).toBe('');
  });
});
