import { describe, expect, it } from 'vitest';
import { Interactions, IdMap, MfrecError } from '../../lib/index.js';

describe('Interactions.fromArrays', () => {
  it('maps raw ids to dense indices and stores by user and by item', () => {
    const d = Interactions.fromArrays(['u1', 'u2', 'u1'], [10, 20, 20], { values: [1, 2, 3] });
    expect(d.nUsers).toBe(2);
    expect(d.nItems).toBe(2);
    expect(Array.from(d.byUser.indptr)).toEqual([0, 2, 3]);
    expect(Array.from(d.byUser.indices)).toEqual([0, 1, 1]);
    expect(Array.from(d.byUser.values)).toEqual([1, 3, 2]);
    expect(Array.from(d.byItem.indptr)).toEqual([0, 1, 3]);
    expect(Array.from(d.byItem.indices)).toEqual([0, 0, 1]);
    expect(Array.from(d.byItem.values)).toEqual([1, 3, 2]);
    expect(d.users.id(1)).toBe('u2');
    expect(d.items.index('20')).toBe(1);
  });

  it.each([
    ['sum', 6],
    ['mean', 2],
    ['last', 1],
  ] as const)('aggregates duplicates with %s', (aggregate, expected) => {
    const d = Interactions.fromArrays(['a', 'a', 'a'], ['x', 'x', 'x'], { values: [2, 3, 1], aggregate });
    expect(d.nnz).toBe(1);
    expect(d.byUser.values[0]).toBe(expected);
  });

  it("'last' follows timestamps, not positions, when they exist", () => {
    const d = Interactions.fromArrays(['a', 'a'], ['x', 'x'], { values: [5, 7], timestamps: [20, 10], aggregate: 'last' });
    expect(d.byUser.values[0]).toBe(5);
    expect(d.byUser.timestamps![0]).toBe(20);
  });

  it('defaults values to 1 and extends given id maps', () => {
    const users = new IdMap(['z']);
    const d = Interactions.fromArrays(['a'], ['x'], { users });
    expect(d.nUsers).toBe(2);
    expect(d.byUser.values[0]).toBe(1);
    expect(Array.from(d.byUser.indptr)).toEqual([0, 0, 1]);
  });

  it('rejects mismatched lengths, bad ids, non-finite values and unknown options', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(MfrecError);
        return (e as MfrecError).code;
      }
      return 'no error';
    };
    expect(codeOf(() => Interactions.fromArrays(['a'], ['x', 'y']))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => Interactions.fromArrays([null as unknown as string], ['x']))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => Interactions.fromArrays(['a'], ['x'], { values: [NaN] }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => Interactions.fromArrays(['a'], ['x'], { aggregate: 'max' as 'sum' }))).toBe('ERR_MFREC_INVALID_ARGUMENT');
    expect(codeOf(() => Interactions.fromArrays(['a'], ['x'], { valuse: [1] } as never))).toBe('ERR_MFREC_UNKNOWN_OPTION');
  });

  it('select keeps the id maps and picks entries in storage order', () => {
    const d = Interactions.fromArrays([1, 1, 2], [1, 2, 3], { values: [4, 5, 6] });
    const s = d.select([0, 2]);
    expect(s.nUsers).toBe(2);
    expect(s.nnz).toBe(2);
    expect(Array.from(s.byUser.values)).toEqual([4, 6]);
  });
});

describe('alignTo', () => {
  it('re-indexes into the reference maps and drops unknown users and items', () => {
    const train = Interactions.fromArrays(['a', 'b', 'b'], ['x', 'y', 'x']);
    const test = Interactions.fromArrays(['b', 'c', 'a', 'a'], ['y', 'x', 'z', 'y'], { values: [1, 2, 3, 4] });
    const { aligned, droppedUsers, droppedItems, droppedEntries } = test.alignTo(train);
    expect(aligned.users).toBe(train.users);
    expect(aligned.items).toBe(train.items);
    expect([droppedUsers, droppedItems, droppedEntries]).toEqual([1, 1, 2]);
    expect([...aligned.entries()].map((e) => [e.user, e.item, e.value])).toEqual([
      ['a', 'y', 4],
      ['b', 'y', 1],
    ]);
  });

  it('keeps sizes fixed when a shared id map grows later', () => {
    const d = Interactions.fromArrays(['a'], ['x']);
    d.users.add('late');
    expect(d.nUsers).toBe(1);
    expect(d.users.clone(d.nUsers).size).toBe(1);
  });
});

describe('Interactions.fromIndices with an index outside its id map', () => {
  const maps = () => {
    const users = new IdMap();
    const items = new IdMap();
    ['a', 'b'].forEach((id) => users.add(id));
    ['x', 'y', 'z'].forEach((id) => items.add(id));
    return { users, items };
  };
  const v = new Float32Array([1, 2, 3]);
  it('names the first bad user index and its position', () => {
    const { users, items } = maps();
    expect(() => Interactions.fromIndices(users, items, new Int32Array([0, 2, 1]), new Int32Array([0, 1, 2]), v, undefined)).toThrow(
      /u\[1\].*indices in \[0, 2\)|indices in \[0, 2\).*u\[1\]/,
    );
  });
  it('names the first bad item index, negative ones too', () => {
    const { users, items } = maps();
    expect(() => Interactions.fromIndices(users, items, new Int32Array([0, 1, 1]), new Int32Array([0, 1, -1]), v, undefined)).toThrow(/i\[2\]/);
  });
});
