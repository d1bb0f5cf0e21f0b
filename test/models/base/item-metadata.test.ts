import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ImplicitALS, Interactions, ItemCatalog, loadModel, MAX_CATALOG_BYTES, MAX_ITEM_METADATA_BYTES } from '../../../lib/index.js';
import { encodeModelFile, readModelFile, writeFileAtomic } from '../../../lib/persist/model-file.js';
import { randomInteractions } from '../../helpers/hand-made-model.js';
import { errorCode } from '../../helpers/support.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mfrec-metadata-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = randomInteractions(4, 40, 30, 0.2);
const fitted = () => new ImplicitALS({ factors: 4, iterations: 2, threads: 1 }).fit(data);

describe('item metadata', () => {
  it('is set from records or a Map, read back as copies, merged by updates (null removes a field)', async () => {
    const model = await fitted();
    model.setItemMetadata([
      { item: 'i1', name: 'Mug', category: 'kitchen', price: 4.5, tags: ['blue'] },
      { item: 2, name: 'Lamp', category: 7 },
    ]);
    expect(model.itemMetadata('i1')).toEqual({ name: 'Mug', category: 'kitchen', price: 4.5, tags: ['blue'] });
    expect(model.itemMetadata('2')).toEqual({ name: 'Lamp', category: 7 });
    expect(model.itemMetadata('i9')).toBeUndefined();
    model.itemMetadata('i1')!.name = 'changed';
    expect(model.itemMetadata('i1')!.name).toBe('Mug');
    model.updateItemMetadata(
      new Map([
        ['i1', { stock: 3, tags: null }],
        ['i3', { stock: 0 }],
      ]),
    );
    expect(model.itemMetadata('i1')).toEqual({ name: 'Mug', category: 'kitchen', price: 4.5, stock: 3 });
    expect(model.itemMetadata('i3')).toEqual({ stock: 0 });
    model.setItemMetadata([{ item: 'i5', name: 'Chair' }]);
    expect(model.itemCatalog.size).toBe(1);
  });

  it('refuses bad entries with a typed error naming the entry and field, changing nothing', async () => {
    const model = await fitted();
    model.setItemMetadata([{ item: 'i1', name: 'Mug' }]);
    const bad: unknown[] = [
      [
        { item: 'i2', name: 'ok' },
        { item: 'i3', price: Number.NaN },
      ],
      [{ item: 'i2', category: { nested: 1 } }],
      [{ item: 'i2', name: 5 }],
      [{ name: 'no id' }],
      [{ item: 'i2', blob: 'x'.repeat(MAX_ITEM_METADATA_BYTES) }],
      'not a list',
    ];
    for (const input of bad) expect(await errorCode(() => model.setItemMetadata(input as never))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(() => model.setItemMetadata([{ item: 'i2' }, { item: 'i3', price: Number.NaN }])).toThrow(/setItemMetadata\[1\] price/);
    expect(() => model.setItemMetadata([{ item: 'i2' }, { item: 'i3' }, { item: 'i2', name: 'again' }])).toThrow(
      /setItemMetadata\[2\]: item "i2" is given twice \(also setItemMetadata\[0\]\)/,
    );
    expect(() => model.updateItemMetadata([{ item: 'i1', blob: 'x'.repeat(MAX_ITEM_METADATA_BYTES) }])).toThrow(/item "i1" takes \d+ bytes/);
    expect(model.itemCatalog.toJSON()).toEqual([['i1', { name: 'Mug' }]]);
  });

  it('survives save and load, fit and partial fits; forgetItem drops it', async () => {
    const model = await fitted();
    model.setItemMetadata([
      { item: 'i1', name: 'Mug', category: 'kitchen' },
      { item: 'i2', name: 'Lamp', price: 12 },
    ]);
    const file = path.join(dir, 'with-metadata.mfrec');
    await model.save(file);
    const loaded = await loadModel(file);
    expect(loaded.itemMetadata('i1')).toEqual({ name: 'Mug', category: 'kitchen' });
    expect(loaded.itemMetadata('i2')).toEqual({ name: 'Lamp', price: 12 });
    await loaded.partialFitItems(Interactions.fromArrays(['u1', 'u2'], ['i1', 'new']));
    expect(loaded.itemMetadata('i1')).toEqual({ name: 'Mug', category: 'kitchen' });
    await loaded.fit(data);
    expect(loaded.itemMetadata('i2')).toEqual({ name: 'Lamp', price: 12 });
    await loaded.forgetItem('i1');
    expect(loaded.itemMetadata('i1')).toBeUndefined();
    await loaded.save(file);
    expect((await readModelFile(file)).header.itemMetadata).toEqual([['i2', { name: 'Lamp', price: 12 }]]);
  });

  it('a file without metadata loads with none; a malformed section is CORRUPT_FILE naming the file', async () => {
    const model = await fitted();
    const file = path.join(dir, 'plain.mfrec');
    await model.save(file);
    const contents = await readModelFile(file);
    expect(contents.header.itemMetadata).toBeUndefined();
    expect((await loadModel(file)).itemCatalog.size).toBe(0);
    for (const section of [
      { i1: {} },
      [['i1']],
      [['i1', { price: 'free' }]],
      [
        ['i1', {}],
        ['i1', {}],
      ],
      [[null, {}]],
    ]) {
      const broken = path.join(dir, 'broken.mfrec');
      await writeFileAtomic(broken, encodeModelFile({ header: { ...contents.header, itemMetadata: section }, blocks: contents.blocks }));
      await expect(loadModel(broken)).rejects.toMatchObject({ code: 'ERR_MFREC_CORRUPT_FILE', message: expect.stringContaining(broken) });
    }
  });

  it('a catalog past its total size is refused and left as it was, by set and by update', () => {
    const catalog = ItemCatalog.from([{ item: 'kept', name: 'Mug' }]);
    const blob = 'x'.repeat(MAX_ITEM_METADATA_BYTES - 100);
    const many = Array.from({ length: Math.ceil(MAX_CATALOG_BYTES / blob.length) + 1 }, (_, i) => ({ item: `i${i}`, blob }));
    expect(() => catalog.set(many)).toThrow(/more than the \d+ a model holds/);
    expect(() => catalog.update(many)).toThrow(/more than the \d+ a model holds/);
    expect(catalog.toJSON()).toEqual([['kept', { name: 'Mug' }]]);
  });

  it('an ItemCatalog works on its own, as a sidecar for fast-changing data', () => {
    const stock = ItemCatalog.from([{ item: 'i1', stock: 2 }]);
    stock.update([{ item: 'i1', stock: 1 }]);
    expect(stock.get('i1')).toEqual({ stock: 1 });
    const copy = stock.clone();
    stock.update([{ item: 'i1', stock: 0 }]);
    expect(copy.get('i1')).toEqual({ stock: 1 });
    expect(stock.delete('i1')).toBe(true);
    expect(stock.size).toBe(0);
  });
});
