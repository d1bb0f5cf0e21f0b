import { describe, expect, it } from 'vitest';
import { durationArg } from '../../lib/cli/retrain-flags.js';
import { cliIn } from '../helpers/cli.js';
import { savedAls, tempDir } from '../serve/fixtures.js';

describe('mfrec serve retrain flags', () => {
  it('reads durations with their unit', () => {
    expect(durationArg('90s')).toBe(90_000);
    expect(durationArg('5m')).toBe(300_000);
    expect(durationArg('1.5h')).toBe(5_400_000);
    expect(durationArg('1d')).toBe(86_400_000);
    for (const bad of ['5', '0s', '5x', '', '30d', '-1m']) expect(() => durationArg(bad)).toThrow(/expected a duration/);
  });

  it('refuses each bad value with a one-line error naming the flag, before listening', async () => {
    const dir = tempDir();
    const model = await savedAls(dir);
    const cli = cliIn(dir);
    // Exit 2: a value the flag's parser refuses (a usage error); 1: flags that do not go together.
    const cases: [string[], RegExp, number][] = [
      [['--retrain-every', '5'], /--retrain-every.*expected a duration/, 2],
      [['--full-retrain-every', 'daily'], /--full-retrain-every.*expected a duration/, 2],
      [['--half-life', '-1'], /--half-life.*expected a number of days >= 0/, 2],
      [['--gate-margin', '1.5'], /--gate-margin.*expected a precision difference in \[0, 1\]/, 2],
      [['--retrain-every', '5m', '--gate-margin', '0.01'], /--retrain-every, --gate-margin need the event log: add --events DIR/, 1],
    ];
    for (const [flags, message, code] of cases) {
      const r = await cli('serve', model, '--port', '0', ...flags);
      expect(r.code, flags.join(' ')).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(message);
    }
  });

  it('documents the flags in --help', async () => {
    const r = await cliIn(tempDir())('serve', '--help');
    for (const flag of ['--retrain-every', '--full-retrain-every', '--base-data', '--half-life', '--gate-margin']) expect(r.stdout).toContain(flag);
  });
});
