/** The CLI reading a shop's own files: named columns, headers, types, values, notes and warnings. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-cli-read-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const mfrec = cliIn(dir);

function write(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

/** An Online Retail-style export: 12 customers, 8 stock codes, one cancellation. */
function retail(): string {
  const lines = ['InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country'];
  for (let c = 0; c < 12; c++) {
    for (let s = 0; s < 8; s++) {
      if ((c + s) % 3 === 0) continue;
      lines.push(`5363${c},8512${s}A,"WHITE HANGING HEART, T-LIGHT ${s}",${(s % 4) + 1},2010-12-0${(s % 9) + 1} 08:26:00,2.55,178${c},United Kingdom`);
    }
  }
  lines.push('C536379,85120A,Discount,-1,2010-12-01 09:41:00,27.50,1780,United Kingdom');
  return lines.join('\n') + '\n';
}

describe('mfrec reading a shop export', () => {
  it('keeps detected columns when some are named (--user-col, --item-col)', async () => {
    const file = write('retail.csv', retail());
    const named = await mfrec(
      'train',
      file,
      '--model',
      'als',
      '--user-col',
      'CustomerID',
      '--item-col',
      'StockCode',
      '--factors',
      '2',
      '--iterations',
      '2',
      '--out',
      'r.mfrec',
      '--json',
    );
    expect(named.stderr).not.toMatch(/finite number/);
    expect(named.code).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ users: 12, items: 8 });
    const wrong = await mfrec('train', file, '--model', 'als', '--value-col', 'Description', '--factors', '2', '--out', 'w.mfrec');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/retail\.csv:2: value \(column 2 'Description'\) is not a finite number/);
  });

  it('warns about negative values fed to an implicit model, with their count', async () => {
    const r = await mfrec('train', 'retail.csv', '--model', 'als', '--factors', '2', '--iterations', '2', '--out', 'n.mfrec');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/mfrec: warning: retail\.csv: 1 \(user, item\) pair\(s\) have a negative value in column 3 'Quantity'/);
    expect(r.stderr).toContain('(--aggregate sum)');
  });

  it('reads session_id,sku as a header, and says when a header guess is unclear', async () => {
    const rows = ['session_id,sku'];
    for (let s = 0; s < 10; s++) for (let k = 0; k < 4; k++) rows.push(`s-${s},85${(s + k) % 7}A`);
    write('sessions.csv', rows.join('\n') + '\n');
    const r = await mfrec('train', 'sessions.csv', '--model', 'bpr', '--factors', '2', '--iterations', '1', '--out', 's.mfrec', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ users: 10, items: 7 });
    write('unclear.csv', rows.join('\n').replace('session_id', 'visitor_key') + '\n');
    const unclear = await mfrec('train', 'unclear.csv', '--model', 'bpr', '--factors', '2', '--iterations', '1', '--out', 'u.mfrec', '--json');
    expect(unclear.stderr).toContain('mfrec: note: unclear.csv: read the first line "visitor_key,sku" as data (pass --header if it names the columns)');
    const forced = await mfrec('train', 'unclear.csv', '--header', '--model', 'bpr', '--factors', '2', '--iterations', '1', '--out', 'u.mfrec', '--json');
    // The CLI's words, not the library's: --user-col, not userCol.
    expect(forced.code).toBe(1);
    expect(forced.stderr).toContain('Cannot tell which column holds the users; pass --user-col');
    const unknown = await mfrec('train', 'sessions.csv', '--model', 'bpr', '--value-col', 'qty', '--out', 'u.mfrec');
    expect(unknown.stderr).toContain("Unknown column 'qty' for --value-col. The header's columns are: session_id, sku");
    const past = await mfrec('train', 'sessions.csv', '--model', 'bpr', '--time-col', '7', '--out', 'u.mfrec');
    expect(past.stderr).toContain('Column 7 given for --time-col does not exist');
    const fixed = await mfrec(
      'train',
      'unclear.csv',
      '--header',
      '--user-col',
      'visitor_key',
      '--model',
      'bpr',
      '--factors',
      '2',
      '--iterations',
      '1',
      '--out',
      'u.mfrec',
      '--json',
    );
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout)).toMatchObject({ users: 10 });
  });

  it('weights event types (--type-col, --type-weights) and takes --confidence log', async () => {
    const rows = ['visitor,product_id,event_type'];
    for (let v = 0; v < 10; v++) for (let p = 0; p < 5; p++) rows.push(`v${v},p${(v + p) % 6},${['view', 'cart', 'purchase'][(v + p) % 3]}`);
    write('events.csv', rows.join('\n') + '\n');
    const r = await mfrec(
      'train',
      'events.csv',
      '--model',
      'als',
      '--type-col',
      'event_type',
      '--type-weights',
      'view=1,cart=2,purchase=5',
      '--confidence',
      'log',
      '--factors',
      '2',
      '--iterations',
      '2',
      '--out',
      'ev.mfrec',
      '--json',
    );
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ users: 10, items: 6, params: { confidence: 'log' } });
    const partial = await mfrec(
      'train',
      'events.csv',
      '--model',
      'als',
      '--type-col',
      'event_type',
      '--type-weights',
      'view=1,purchase=5',
      '--out',
      'ev.mfrec',
    );
    expect(partial.code).toBe(1);
    expect(partial.stderr).toMatch(/events\.csv:\d+: unknown interaction type "cart" \(known: view, purchase\)/);
    const bad = await mfrec('train', 'events.csv', '--model', 'als', '--type-col', 'event_type', '--type-weights', 'view:1', '--out', 'ev.mfrec');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("option '--type-weights <list>' argument 'view:1' is invalid");
    const alone = await mfrec('train', 'events.csv', '--model', 'als', '--type-weights', 'view=1', '--out', 'ev.mfrec');
    expect(alone.stderr).toContain('--type-weights needs --type-col');
    const explicitLog = await mfrec('train', 'events.csv', '--model', 'explicit', '--confidence', 'log', '--out', 'ev.mfrec');
    expect(explicitLog.stderr).toContain('--confidence does not apply to --model explicit');
  });

  it('refuses a rating model without ratings, and warns about a value column of ids', async () => {
    write('pairs.csv', 'user,item\nu1,i1\nu2,i1\nu1,i2\n');
    const none = await mfrec('train', 'pairs.csv', '--model', 'explicit', '--out', 'x.mfrec');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      'pairs.csv has no value column (its columns: user, item): a rating model would learn from line counts; name the ratings with --value-col',
    );
    const rows = ['user,item,order_id'];
    for (let u = 0; u < 8; u++) for (let i = 0; i < 4; i++) rows.push(`u${u},i${i},${1_500_000_000 + u * 10 + i}`);
    write('ids.csv', rows.join('\n') + '\n');
    const ids = await mfrec('train', 'ids.csv', '--model', 'explicit', '--value-col', 'order_id', '--iterations', '1', '--out', 'x.mfrec');
    expect(ids.stderr).toMatch(
      /mfrec: warning: ids\.csv: values of column 2 'order_id' \(read as the value\) reach about 1\.50e\+9: these look like timestamps or ids, not ratings/,
    );
  });

  it('names model options by their flags in errors (a diverged fit says --learning-rate)', async () => {
    const rows = ['user,item,rating'];
    for (let u = 0; u < 50; u++) for (let i = 0; i < 20; i++) if ((u * 7 + i * 3) % 4 === 0) rows.push(`u${u},i${i},${1 + ((u + i) % 5)}`);
    write('diverge.csv', rows.join('\n') + '\n');
    for (const [model, rate] of [
      ['explicit', '1'],
      ['bpr', '10'],
    ] as const) {
      const r = await mfrec('train', 'diverge.csv', '--model', model, '--learning-rate', rate, '--iterations', '20', '--out', 'x.mfrec', '--quiet');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/diverged.*lower --learning-rate.*\[ERR_MFREC_DIVERGED\]/);
      expect(r.stderr).not.toMatch(/learningRate/);
    }
  });

  it('keeps repeated ratings on their scale and says how they were combined', async () => {
    const rows = ['user,item,rating'];
    for (let u = 0; u < 10; u++) for (let i = 0; i < 6; i++) rows.push(`u${u},i${i},${((u + i) % 5) + 1}`);
    rows.push('u0,i0,5', 'u0,i0,5', 'u0,i0,4', 'u0,i0,5');
    write('repeated.csv', rows.join('\n') + '\n');
    const r = await mfrec('train', 'repeated.csv', '--model', 'explicit', '--factors', '2', '--iterations', '30', '--out', 'rep.mfrec', '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("mfrec: note: repeated.csv: 4 line(s) repeat an earlier (user, item) pair; combined by 'mean'");
    expect(r.stderr).toContain('pass --aggregate sum to add them');
    write('ask.csv', 'user,item\nu0,i0\n');
    const p = await mfrec('predict', '--model', 'rep.mfrec', 'ask.csv');
    expect(p.code).toBe(0);
    expect(Number(p.stdout.trim().split('\n')[1]!.split(',')[2])).toBeLessThan(6);
  });

  it('escapes control characters from the data in its messages', async () => {
    write('esc.csv', 'user,item,rating\nu1,i1,4\nu2\u001b]0;pwned\u0007,i2,x\u009b2J\n');
    const r = await mfrec('train', 'esc.csv', '--model', 'explicit', '--out', 'esc.mfrec');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"u2\\x1b]0;pwned\\x07,i2,x\\x9b2J"');
    expect(r.stderr).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/);
  });

  it.skipIf(process.platform === 'win32')('reads /dev/stdin fed by a pipe', () => {
    const rows = ['user,item,rating'];
    for (let u = 0; u < 10; u++) for (let i = 0; i < 5; i++) rows.push(`u${u},i${(u + i) % 7},${(i % 5) + 1}`);
    const bin = path.resolve(__dirname, '..', '..', 'bin', 'mfrec.js');
    const r = spawnSync(
      process.execPath,
      [bin, 'train', '/dev/stdin', '--model', 'explicit', '--factors', '2', '--iterations', '2', '--out', 'stdin.mfrec', '--json'],
      {
        cwd: dir,
        input: rows.join('\n') + '\n',
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ users: 10, items: 7 });
    // A real pipe and a process substitution, as a shell makes them.
    write('piped.csv', rows.join('\n') + '\n');
    const train = `"${process.execPath}" "${bin}" train --model explicit --factors 2 --iterations 2 --out p.mfrec --json`;
    for (const script of [`cat piped.csv | ${train.replace('train', 'train /dev/stdin')}`, `${train.replace('train', 'train <(gzip -c piped.csv)')}`]) {
      const shell = spawnSync('bash', ['-c', script], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
      expect(shell.stderr).toBe('');
      expect(JSON.parse(shell.stdout)).toMatchObject({ users: 10, items: 7 });
    }
  });
});
