/** `mfrec demo`: the customers it shows have the ticks its legend explains. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliIn } from '../helpers/cli.js';

const mfrec = cliIn(mkdtempSync(path.join(tmpdir(), 'mfrec-demo-')));

describe('mfrec demo', () => {
  it('shows customers with a ✓ in their recommendations, and says how they were chosen', async () => {
    const r = await mfrec('demo', '--quiet', '--customers', '4');
    expect(r.code).toBe(0);
    const blocks = r.stdout.split('\n\nCustomer ').slice(1);
    expect(blocks).toHaveLength(4);
    for (const block of blocks) {
      const recommended = block.split('mfrec recommends:\n')[1]!.split('\n').slice(0, 5);
      expect(recommended.every((line) => /^ {2}[✓ ] \S/.test(line))).toBe(true);
      expect(recommended.filter((line) => line.startsWith('  ✓')).length, block).toBeGreaterThan(0);
    }
    expect(r.stdout).toContain('  (✓: bought in the held-out month)\n  Customers shown: the first, in a fixed order spread over all customers,');
    expect(r.stdout).toContain('one of these 5 recommendations among them. The accuracy below covers every customer.');
  });

  it('--json: every customer shown bought one of their recommendations later, and the choice is stated', async () => {
    const r = await mfrec('demo', '--json', '--customers', '3');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { customers: Array<{ recommended: Array<{ item: string | number }>; boughtLater: string[] }>; customersChosen: string };
    expect(out.customers).toHaveLength(3);
    for (const c of out.customers) expect(c.recommended.some((x) => c.boughtLater.includes(String(x.item)))).toBe(true);
    expect(out.customersChosen).toMatch(/^Customers shown: .* every customer\.$/);
  });
});
