/** `mfrec train` reports where its time went: read, layout, epochs, save. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliIn, writePlantedRatings } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-phases-'));
const mfrec = cliIn(dir);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writePlantedRatings(path.join(dir, 'r.csv'), 3, 0.5);

describe('train phases', () => {
  it('--json gives the seconds of each phase, the epochs being the sum of the iterations', async () => {
    const r = await mfrec('train', 'r.csv', '--model', 'explicit', '--factors', '2', '--iterations', '3', '--out', 'm.mfrec', '--json');
    expect(r.code, r.stderr).toBe(0);
    const summary = JSON.parse(r.stdout) as { seconds: number; iterations: Array<{ seconds: number }>; phases: Record<string, number> };
    expect(Object.keys(summary.phases)).toEqual(['read', 'layout', 'epochs', 'save']);
    for (const s of Object.values(summary.phases)) expect(s).toBeGreaterThanOrEqual(0);
    const epochs = summary.iterations.reduce((sum, it) => sum + it.seconds, 0);
    expect(summary.phases.epochs).toBeCloseTo(epochs, 9);
    // The fit's seconds are the layout and the epochs (to the millisecond of its clock).
    expect(summary.phases.layout! + summary.phases.epochs!).toBeCloseTo(Math.max(summary.seconds, epochs), 2);
  });

  it('--timings adds a phases row to the summary table', async () => {
    const r = await mfrec('train', 'r.csv', '--model', 'explicit', '--factors', '2', '--iterations', '2', '--out', 'm2.mfrec', '--quiet', '--timings');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/phases\s+read \d+\.\d\d s, layout \d+\.\d\d s, epochs \d+\.\d\d s, save \d+\.\d\d s/);
  });
});
