/**
 * Output paths of every command that writes: one typed line naming the path
 * the user gave when it cannot be written, never an input destroyed, the
 * replaced file's mode kept, spreadsheet formulas neutralised, and strings
 * from model files shown with their control characters escaped.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chmodSync, linkSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Interactions, readInteractions } from '../../lib/index.js';
import { ImplicitALS } from '../../lib/index.js';
import { encodeFactorModel } from '../../lib/persist/factor-state.js';
import { encodeModelFile, type ModelFileContents } from '../../lib/persist/model-file.js';
import { cliIn, writePlantedRatings, type CliResult } from '../helpers/cli.js';
import { randomState } from '../helpers/hand-made-model.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-out-'));
const mfrec = cliIn(dir);
const hasScript = (() => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
const at = (f: string) => path.join(dir, f);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An ALS model file over the given ids, written directly (no training). */
function alsModel(users: string[], items: string[], patch: (c: ModelFileContents) => void = () => undefined): Buffer {
  const u: string[] = [];
  const i: string[] = [];
  for (const user of users) for (const item of items) u.push(user), i.push(item);
  const state = randomState(3, Interactions.fromArrays(u, i), 2);
  const contents = encodeFactorModel({ type: 'als', params: { ...new ImplicitALS({ factors: 2 }).params }, state, extra: {} }, '0.0.0');
  patch(contents);
  return encodeModelFile(contents);
}

/** A failure reported as it should be: exit 1, one line on stderr, the code, and no stack or temporary name. */
function expectOneLine(r: CliResult, code: string, mentions: string): void {
  expect(r.code, r.stderr).toBe(1);
  const lines = r.stderr.trim().split('\n');
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toContain(`[${code}]`);
  expect(lines[0]).toContain(mentions);
  expect(lines[0]).not.toMatch(/\.tmp|Unhandled|\bat /);
}

beforeAll(async () => {
  writePlantedRatings(at('r.csv'), 1, 0.5);
  writeFileSync(at('pairs.csv'), 'user,item\nu1,i2\nu3,i4\n');
  const t = await mfrec('train', 'r.csv', '--model', 'explicit', '--factors', '2', '--iterations', '3', '--out', 'm.mfrec', '--quiet');
  expect(t.code, t.stderr).toBe(0);
  mkdirSync(at('sub'));
});

describe('an --out that cannot be written', () => {
  const commands: Array<[string, (out: string) => string[]]> = [
    ['train', (out) => ['train', 'r.csv', '--model', 'explicit', '--iterations', '1', '--out', out]],
    ['predict', (out) => ['predict', '--model-file', 'm.mfrec', 'pairs.csv', '--out', out]],
    ['recommend', (out) => ['recommend', '--model-file', 'm.mfrec', '--user', 'u1', '--out', out]],
    ['recommend --history', (out) => ['recommend', '--model-file', 'm.mfrec', '--history', 'r.csv', '--out', out, '--quiet']],
    ['similar', (out) => ['similar', '--model-file', 'm.mfrec', '--item', 'i1', '--out', out]],
    ['report', (out) => ['report', '--model-file', 'm.mfrec', '--train', 'r.csv', '--test', 'r.csv', '--out', out]],
    ['tune --out', (out) => ['tune', 'r.csv', '--model', 'explicit', '--budget', '1', '--out', out, '--quiet']],
    ['tune --trials', (out) => ['tune', 'r.csv', '--model', 'explicit', '--budget', '1', '--trials', out, '--quiet']],
    ['tune --report', (out) => ['tune', 'r.csv', '--model', 'explicit', '--budget', '1', '--test', 'r.csv', '--report', out, '--quiet']],
    ['demo --report', (out) => ['demo', '--report', out, '--quiet']],
  ];
  it.each(commands)('%s: a missing folder is one IO line naming the path given', async (_name, args) => {
    expectOneLine(await mfrec(...args('missing/out.x')), 'ERR_MFREC_IO', 'missing/out.x');
  });

  it.each(commands)('%s: a path through a file, or a folder, is one IO line too', async (_name, args) => {
    expectOneLine(await mfrec(...args('r.csv/out.x')), 'ERR_MFREC_IO', 'r.csv/out.x');
    expectOneLine(await mfrec(...args('sub')), 'ERR_MFREC_IO', 'sub');
  });

  it.skipIf(process.getuid?.() === 0)('a read-only folder is one IO line (not as root, who may write anywhere)', async () => {
    mkdirSync(at('ro'));
    chmodSync(at('ro'), 0o555);
    expectOneLine(await mfrec('predict', '--model-file', 'm.mfrec', 'pairs.csv', '--out', 'ro/p.csv'), 'ERR_MFREC_IO', 'ro/p.csv');
    expectOneLine(await mfrec('recommend', '--model-file', 'm.mfrec', '--user', 'u1', '--out', 'ro/p.csv'), 'ERR_MFREC_IO', 'ro/p.csv');
  });

  it('a device or pipe is refused rather than replaced', async () => {
    // A FIFO of our own stands for devices: a writer that renames over its target would replace the real
    // /dev/null when run as root, so the test never points at it.
    execFileSync('mkfifo', [at('pipe')]);
    expectOneLine(await mfrec('recommend', '--model-file', 'm.mfrec', '--user', 'u1', '--out', 'pipe'), 'ERR_MFREC_IO', 'pipe');
    expectOneLine(await mfrec('train', 'r.csv', '--model', 'explicit', '--iterations', '1', '--out', 'pipe'), 'ERR_MFREC_IO', 'pipe');
    expect(statSync(at('pipe')).isFIFO()).toBe(true);
  });
});

describe('an output that names an input', () => {
  it.each([
    ['train FILE --out FILE', ['train', 'r.csv', '--model', 'explicit', '--out', 'r.csv'], 'r.csv'],
    ['predict --out FILE', ['predict', '--model-file', 'm.mfrec', 'pairs.csv', '--out', 'pairs.csv'], 'pairs.csv'],
    ['predict --out MODEL', ['predict', '--model-file', 'm.mfrec', 'pairs.csv', '--out', 'm.mfrec'], 'm.mfrec'],
    ['recommend --out MODEL', ['recommend', '--model-file', 'm.mfrec', '--user', 'u1', '--out', 'm.mfrec'], 'm.mfrec'],
    ['recommend --out HISTORY', ['recommend', '--model-file', 'm.mfrec', '--history', 'r.csv', '--out', 'r.csv'], 'r.csv'],
    ['similar --out MODEL', ['similar', '--model-file', 'm.mfrec', '--item', 'i1', '--out', './m.mfrec'], 'm.mfrec'],
    ['report --out TEST', ['report', '--model-file', 'm.mfrec', '--train', 'r.csv', '--test', 'pairs.csv', '--out', 'pairs.csv'], 'pairs.csv'],
    ['tune --out TRAIN', ['tune', 'r.csv', '--model', 'explicit', '--budget', '1', '--out', 'r.csv'], 'r.csv'],
    ['tune --out and --report alike', ['tune', 'r.csv', '--model', 'explicit', '--test', 'pairs.csv', '--out', 'x.out', '--report', 'x.out'], 'x.out'],
  ])('%s is refused and the input kept', async (_name, args, victim) => {
    const before = readFileSync(at('m.mfrec'));
    const data = readFileSync(at(victim === 'x.out' ? 'r.csv' : victim));
    expectOneLine(await mfrec(...args), 'ERR_MFREC_INVALID_ARGUMENT', victim);
    expect(readFileSync(at('m.mfrec')).equals(before)).toBe(true);
    expect(readFileSync(at(victim === 'x.out' ? 'r.csv' : victim)).equals(data)).toBe(true);
  });

  it('through a symbolic link or a hard link', async () => {
    symlinkSync('pairs.csv', at('sym.csv'));
    linkSync(at('pairs.csv'), at('hard.csv'));
    const before = readFileSync(at('pairs.csv'));
    expectOneLine(await mfrec('predict', '--model-file', 'm.mfrec', 'pairs.csv', '--out', 'sym.csv'), 'ERR_MFREC_INVALID_ARGUMENT', 'sym.csv');
    expectOneLine(await mfrec('predict', '--model-file', 'm.mfrec', 'pairs.csv', '--out', 'hard.csv'), 'ERR_MFREC_INVALID_ARGUMENT', 'hard.csv');
    expect(readFileSync(at('pairs.csv')).equals(before)).toBe(true);
  });
});

describe('replacing an output', () => {
  it('keeps the mode of the CSV it replaces, and writes through a symbolic link', async () => {
    writeFileSync(at('private.csv'), 'old\n');
    chmodSync(at('private.csv'), 0o600);
    symlinkSync('private.csv', at('via-link.csv'));
    const r = await mfrec('recommend', '--model-file', 'm.mfrec', '--user', 'u1', '--out', 'via-link.csv');
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(at('private.csv')).mode & 0o777).toBe(0o600);
    expect(readFileSync(at('private.csv'), 'utf8')).toMatch(/^user,item,rank,score,source\nu1,/);
    const again = await mfrec('train', 'r.csv', '--model', 'explicit', '--iterations', '1', '--out', 'private.mfrec', '--quiet');
    expect(again.code).toBe(0);
    chmodSync(at('private.mfrec'), 0o600);
    expect((await mfrec('train', 'r.csv', '--model', 'explicit', '--iterations', '1', '--out', 'private.mfrec', '--quiet')).code).toBe(0);
    expect(statSync(at('private.mfrec')).mode & 0o777).toBe(0o600);
  });
});

describe('ids a spreadsheet would run', () => {
  const items = ['=HYPERLINK("http://x")', '+SUM(1)', '-2+3', '@cmd', '\tlead', 'plain', '-5', ' padded '];
  beforeAll(() => writeFileSync(at('formula.mfrec'), alsModel(['u1', '=user'], items)));

  it('are written with a leading quote by default, and said so on stderr', async () => {
    const r = await mfrec('recommend', '--model-file', 'formula.mfrec', '--all', '--k', '8', '--keep-seen', '--out', 'f.csv', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/\d+ ids starting with = \+ - @.*--raw-ids/);
    const read = await readInteractions(at('f.csv'), { userCol: 0, itemCol: 1 });
    const written = new Set(read.interactions.items.toArray().map(String));
    for (const id of ['=HYPERLINK("http://x")', '+SUM(1)', '-2+3', '@cmd', '\tlead']) expect(written).toContain(`'${id}`);
    // Numbers and plain ids are left alone; blanks at the ends survive (quoted).
    for (const id of ['plain', '-5', ' padded ']) expect(written).toContain(id);
    expect(read.interactions.users.toArray().map(String).sort()).toEqual(["'=user", 'u1']);
  });

  it('--raw-ids writes them exactly, and our reader reads back every id', async () => {
    const r = await mfrec('recommend', '--model-file', 'formula.mfrec', '--all', '--k', '8', '--keep-seen', '--out', 'raw.csv', '--raw-ids', '--quiet');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const read = await readInteractions(at('raw.csv'), { userCol: 0, itemCol: 1 });
    expect(new Set(read.interactions.items.toArray().map(String))).toEqual(new Set(items));
    const s = await mfrec('similar', '--model-file', 'formula.mfrec', '--item', 'plain', '--k', '2');
    expect(
      s.stdout
        .split('\n')
        .slice(1)
        .every((l) => l === '' || !/^[=+@]|,[=+@]/.test(l)),
    ).toBe(true);
  });
});

describe('strings from a model file reach the terminal escaped', () => {
  const hostile = '\u001b]0;owned\u0007\u009b2J\u202eevil\r\n';
  beforeAll(() => {
    writeFileSync(
      at('hostile.mfrec'),
      alsModel(['u1', 'u2'], ['a', 'b', 'c'], (c) => {
        c.header.mfrecVersion = hostile;
        c.header.training = { note: hostile };
      }),
    );
    writeFileSync(
      at('hostile-type.mfrec'),
      alsModel(['u1', 'u2'], ['a', 'b', 'c'], (c) => (c.header.type = hostile)),
    );
  });
  const raw = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

  it('mfrec info MODEL, as a table and as JSON', async () => {
    const human = await mfrec('info', 'hostile.mfrec');
    expect(human.code).toBe(0);
    expect(human.stdout).not.toMatch(raw);
    expect(human.stdout).toContain('\\x1b]0;owned\\x07\\x9b2J\\u202eevil\\r\\n');
    const json = await mfrec('info', 'hostile.mfrec', '--json');
    expect(json.stdout).not.toMatch(raw);
    expect(JSON.parse(json.stdout).mfrecVersion).toBe(hostile);
  });

  it.runIf(hasScript)('CSV on a terminal, but not CSV to a file', async () => {
    writeFileSync(at('hostile-ids.mfrec'), alsModel(['u1'], ['a\u001b[2Jb', 'c\u009bd']));
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');
    // `script` gives the command a terminal as stdout.
    const onTerminal = execFileSync(
      'script',
      ['-qec', `${process.execPath} ${bin} recommend --model-file hostile-ids.mfrec --user u1 --keep-seen`, '/dev/null'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(onTerminal).toContain('a\\x1b[2Jb');
    expect(onTerminal).toContain('c\\x9bd');
    expect(onTerminal.replace(/\r\n/g, '\n')).not.toMatch(raw);
    expect((await mfrec('recommend', '--model-file', 'hostile-ids.mfrec', '--user', 'u1', '--keep-seen', '--out', 'ids.csv')).code).toBe(0);
    expect(readFileSync(at('ids.csv'), 'utf8')).toContain('a\u001b[2Jb');
  });

  it('an error message quoting the file', async () => {
    const r = await mfrec('recommend', '--model-file', 'hostile-type.mfrec', '--user', 'u1');
    expectOneLine(r, 'ERR_MFREC_CORRUPT_FILE', 'unknown model type');
    expect(r.stderr.trimEnd()).not.toMatch(raw);
  });
});

/** `mfrec ...args`, killed after `ms`: a reader without bound must not outlive the test. */
function mfrecWithin(ms: number, ...args: string[]): Promise<CliResult> {
  const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { cwd: dir, timeout: ms, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

describe('endless inputs through the CLI', () => {
  it.each([
    ['info', ['info', '/dev/zero'], '/dev/zero'],
    ['recommend --model-file', ['recommend', '--model-file', '/dev/urandom', '--user', 'u1'], '/dev/urandom'],
    ['similar --model-file', ['similar', '--model-file', '/dev/zero', '--item', 'i1'], '/dev/zero'],
    ['predict --model-file', ['predict', '--model-file', '/dev/zero', 'pairs.csv'], '/dev/zero'],
    ['report --model-file', ['report', '--model-file', '/dev/zero', '--train', 'r.csv', '--test', 'r.csv', '--out', 'rep.html'], '/dev/zero'],
    [
      'report --trials',
      ['report', '--model-file', 'm.mfrec', '--train', 'r.csv', '--test', 'r.csv', '--trials', '/dev/zero', '--out', 'rep.html'],
      '/dev/zero',
    ],
  ])(
    '%s on a device is one IO line naming it',
    async (_name, args, device) => {
      expectOneLine(await mfrecWithin(15_000, ...args), 'ERR_MFREC_IO', device);
    },
    20_000,
  );
});
