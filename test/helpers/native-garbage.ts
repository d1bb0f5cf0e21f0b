/**
 * Garbage for the raw native bindings: a valid call per binding, and every
 * mutation of it the battery tries (each argument and each property replaced
 * by values of the wrong type, typed arrays of the wrong element type or
 * length, out-of-range numbers and CSR contents). Shared by the vitest
 * battery and the sanitizer run, which replays it under ASan/UBSan.
 */

/** A 3-user × 4-item CSR and its transpose (every index valid). */
export function smallCsr() {
  // user 0: items 0, 2; user 1: item 1; user 2: items 0, 3
  const byUser = {
    rows: 3,
    cols: 4,
    indptr: Int32Array.of(0, 2, 3, 5),
    indices: Int32Array.of(0, 2, 1, 0, 3),
    values: Float32Array.of(1, 2, 1, 3, 1),
  };
  const byItem = {
    rows: 4,
    cols: 3,
    indptr: Int32Array.of(0, 2, 3, 4, 5),
    indices: Int32Array.of(0, 2, 1, 0, 2),
    values: Float32Array.of(1, 3, 1, 2, 1),
  };
  return { byUser, byItem };
}

const F = 2;
const filled = (n: number, v = 0.1) => new Float32Array(n).fill(v);

function alsOptions() {
  return {
    factors: F,
    regularization: 0.1,
    alpha: 1,
    confidence: 0,
    epsilon: 1,
    solver: 0,
    cgSteps: 3,
    scaleRegularization: false,
    threads: 1,
  };
}

function sgdGrid() {
  return {
    blocks: 1,
    users: Int32Array.of(0, 0, 1, 2, 2),
    items: Int32Array.of(0, 2, 1, 0, 3),
    ratings: Float32Array.of(4, 3, 5, 1, 2),
    blockPtr: Int32Array.of(0, 5),
  };
}

function sgdModel() {
  return {
    factors: F,
    globalBias: 3,
    userFactors: filled(3 * F),
    itemFactors: filled(4 * F),
    userBias: filled(3, 0),
    itemBias: filled(4, 0),
  };
}

/** Each binding with a factory of valid arguments. */
export const BINDINGS: Record<string, () => unknown[]> = {
  topkSync: () => [topkArgs()],
  topk: () => [{ ...topkArgs(), cancel: new Int32Array(1) }],
  hnswLevelsSync: () => [{ m: 2, seed: 1, levels: new Int32Array(4) }],
  hnswLayoutSync: () => [{ m: 2, levels: new Int32Array(4), upper: new Int32Array(4) }],
  hnswBuildSync: () => [hnswBuildArgs()],
  hnswBuild: () => [{ ...hnswBuildArgs(), cancel: new Int32Array(1) }],
  hnswCheckSync: () => [hnswGraph()],
  hnswSearchSync: () => [{ ...topkArgs(), ...hnswGraph(), ef: 4 }],
  hnswSearch: () => [{ ...topkArgs(), ...hnswGraph(), ef: 4, cancel: new Int32Array(1) }],
  bprEpoch: () => {
    const { byUser } = smallCsr();
    return [
      {
        indptr: byUser.indptr,
        indices: byUser.indices,
        users: 3,
        items: 4,
        factors: F,
        userFactors: filled(3 * F),
        itemFactors: filled(4 * F),
        itemBias: filled(4, 0),
        learningRate: 0.05,
        regularization: 0.01,
        seed: 1,
        epoch: 1,
        threads: 1,
        verifyNegative: true,
        cancel: new Int32Array(1),
      },
    ];
  },
  alsIteration: () => {
    const { byUser, byItem } = smallCsr();
    return [{ byUser, byItem, userFactors: filled(3 * F), itemFactors: filled(4 * F), options: alsOptions(), cancel: new Int32Array(1) }];
  },
  alsLoss: () => {
    const { byUser, byItem } = smallCsr();
    return [{ byUser, byItem, userFactors: filled(3 * F), itemFactors: filled(4 * F), options: alsOptions(), cancel: new Int32Array(1) }];
  },
  alsGram: () => [{ y: filled(4 * F), rows: 4, factors: F, out: new Float32Array(F * F) }],
  alsSolveRows: () => [
    { rows: smallCsr().byUser, y: filled(4 * F), gram: Float32Array.of(1, 0, 0, 1), x: filled(3 * F), options: alsOptions(), cancel: new Int32Array(1) },
  ],
  alsSolveRowsSync: () => [{ rows: smallCsr().byUser, y: filled(4 * F), gram: Float32Array.of(1, 0, 0, 1), x: filled(3 * F), options: alsOptions() }],
  sgdLayout: () => {
    const g = sgdGrid();
    return [
      {
        users: g.users.slice(),
        items: g.items.slice(),
        ratings: g.ratings.slice(),
        nUsers: 3,
        nItems: 4,
        seed: 7,
        grid: { blocks: 1, users: new Int32Array(5), items: new Int32Array(5), ratings: new Float32Array(5), blockPtr: new Int32Array(2) },
      },
      {
        userPtr: Int32Array.of(0, 2, 3, 5),
        items: g.items.slice(),
        ratings: g.ratings.slice(),
        nUsers: 3,
        nItems: 4,
        seed: 7,
        threads: 2,
        grid: { blocks: 1, users: new Int32Array(5), items: new Int32Array(5), ratings: new Float32Array(5), blockPtr: new Int32Array(2) },
      },
    ];
  },
  sgdEpoch: () => [
    {
      grid: sgdGrid(),
      model: sgdModel(),
      step: { learningRate: 0.01, regularization: 0.02, biasRegularization: 0.02, threads: 1, seed: 1, epoch: 0 },
      cancel: new Int32Array(1),
    },
  ],
  sgdGroupRows: () => [
    {
      grid: sgdGrid(),
      nUsers: 3,
      nItems: 4,
      userOrder: new Int32Array(3),
      userRank: new Int32Array(3),
      itemOrder: new Int32Array(4),
      itemRank: new Int32Array(4),
      threads: 1,
    },
  ],
  sgdInitialFactors: () => [{ out: new Float32Array(3 * F), factors: F, seed: 3, firstRow: 2, sd: 0.1, order: Int32Array.of(2, 0, 1), threads: 1 }],
  sgdPredict: () => [
    { model: sgdModel(), users: Int32Array.of(0, 1, -1), items: Int32Array.of(3, -1, 2), out: new Float32Array(3), min: 1, max: 5, threads: 1 },
  ],
  easeFit: () => [{ byUser: smallCsr().byUser, lambda: 1, threads: 1, out: new Float32Array(4 * 4), cancel: new Int32Array(1) }],
  itemNeighbours: () => {
    const { byUser, byItem } = smallCsr();
    return [
      {
        byItem,
        byUser,
        colScale: filled(4, 1),
        shrink: 1,
        k: 2,
        threads: 1,
        outIndices: new Int32Array(4 * 2),
        outScores: new Float32Array(4 * 2),
        cancel: new Int32Array(1),
      },
    ];
  },
  // The sync name with dense W, the async one with sparse W: both forms face the battery.
  itemItemTopKSync: () => [{ ...itemItemTopKArgs(), dense: filled(4 * 4) }],
  itemItemTopK: () => [
    {
      ...itemItemTopKArgs(),
      sparseIndptr: Int32Array.of(0, 2, 3, 3, 4),
      sparseIndices: Int32Array.of(3, 1, 0, 2),
      sparseValues: filled(4),
      cancel: new Int32Array(1),
    },
  ],
  bprFoldInUser: () => [
    {
      factors: F,
      iterations: 3,
      learningRate: 0.05,
      regularization: 0.01,
      seed: 1,
      verifyNegative: true,
      itemFactors: filled(4 * F),
      itemBias: filled(4, 0),
      positives: Int32Array.of(0, 2),
      out: new Float32Array(F),
    },
  ],
  bprFoldInItem: () => {
    const { byUser } = smallCsr();
    return [
      {
        factors: F,
        iterations: 3,
        learningRate: 0.05,
        regularization: 0.01,
        seed: 1,
        verifyNegative: true,
        userFactors: filled(3 * F),
        itemFactors: filled(4 * F),
        itemBias: filled(4, 0),
        seen: byUser,
        userOfEntry: Int32Array.of(0, 0, 1, 2, 2),
        columnCounts: Float32Array.of(2, 1, 1, 1),
        fans: Int32Array.of(0, 2),
        item: 1,
        out: new Float32Array(F),
      },
    ];
  },
  csrBuild: () => [
    {
      rows: Int32Array.of(1, 0, 1),
      cols: Int32Array.of(2, 0, 2),
      values: Float32Array.of(1, 2, 3),
      times: Float64Array.of(5, 6, 7),
      nRows: 2,
      nCols: 3,
      aggregate: 2,
      threads: 2,
      indptr: new Int32Array(3),
      indices: new Int32Array(3),
      outValues: new Float32Array(3),
      outTimes: new Float64Array(3),
    },
  ],
  parseChunk: () => [
    {
      bytes: new TextEncoder().encode('1,2,3.5,4\n0,2,1,5\n'),
      length: 18,
      last: true,
      delimiter: 0x2c,
      fields: 4,
      userCol: 0,
      itemCol: 1,
      valueCol: 2,
      timeCol: 3,
      maxRecord: 100,
      userDense: new Int32Array(8).fill(-1),
      userCount: 0,
      itemDense: new Int32Array(8).fill(-1),
      itemCount: 0,
      newUsers: new Int32Array(4),
      newItems: new Int32Array(4),
      users: new Int32Array(4),
      items: new Int32Array(4),
      values: new Float32Array(4),
      times: new Float64Array(4),
      report: new Float64Array(6),
    },
  ],
  gatherIndices: () => [{ local: Int32Array.of(0, 1, 0), n: 3, table: Int32Array.of(5, 6), out: new Int32Array(3) }],
  allFinite: () => [{ values: Float32Array.of(1, Number.NaN, 3) }],
  sgdLineOffset: () => [{ array: filled(4) }],
  scoreSplit: () => [
    {
      factors: F,
      biasColumn: true,
      vectors: filled(4 * F),
      rows: Int32Array.of(0, 3, 3),
      weights: Float64Array.of(1, 2, 1),
      base: new Float64Array((F + 1) * (F + 1)),
      diagonal: Float64Array.of(0.1, 0.1, 0.1),
      query: 2,
      out: new Float64Array(3),
    },
  ],
  foldInSolve: () => [
    {
      vectors: filled(4 * F),
      factors: F,
      rows: Int32Array.of(0, 3, 3),
      targets: Float64Array.of(1, -0.5, 2),
      vectorPenalty: 0.1,
      biasPenalty: 0.01,
      out: new Float32Array(F + 1),
    },
  ],
};

/** Compiled rules over 4 targets: every one permitted, two categories capped, diversity. */
function rankingRules() {
  return { permit: Int32Array.of(0b1111), category: Int32Array.of(0, 0, 1, -1), caps: Int32Array.of(1, 2), lambda: 0.5, pool: 3 };
}

function topkArgs() {
  const { byUser } = smallCsr();
  return {
    query: filled(3 * F),
    rows: Int32Array.of(0, 2, 1),
    rowOffset: filled(3, 0),
    offset: 0,
    target: filled(4 * F),
    factors: F,
    colBias: filled(4, 0),
    filterIndptr: byUser.indptr,
    filterIndices: byUser.indices,
    excludeSelf: false,
    exclude: Int32Array.of(1),
    candidates: Int32Array.of(0, 1, 2, 3),
    rules: rankingRules(),
    k: 2,
    threads: 1,
    items: new Int32Array(3 * 2),
    scores: new Float32Array(3 * 2),
  };
}

/** A valid HNSW graph over the 4 items of topkArgs (m 2, every node on level 0). */
function hnswGraph() {
  return {
    m: 2,
    levels: new Int32Array(4),
    upper: Int32Array.of(20, 20, 20, 20),
    links: Int32Array.of(2, 1, 2, 0, 0, 2, 0, 3, 0, 0, 2, 0, 3, 0, 0, 2, 1, 2, 0, 0),
    entry: 0,
  };
}

function hnswBuildArgs() {
  return { ...hnswGraph(), links: new Int32Array(20), entry: -1, target: filled(4 * F), factors: F, efConstruction: 4, threads: 1 };
}

function itemItemTopKArgs() {
  const { byUser } = smallCsr();
  return {
    historyIndptr: byUser.indptr,
    historyIndices: byUser.indices,
    historyValues: byUser.values,
    rows: Int32Array.of(0, 2, 1),
    items: 4,
    filterIndptr: byUser.indptr,
    filterIndices: byUser.indices,
    exclude: Int32Array.of(1),
    candidates: Int32Array.of(0, 1, 2, 3),
    rules: rankingRules(),
    k: 2,
    threads: 1,
    outItems: new Int32Array(3 * 2),
    outScores: new Float32Array(3 * 2),
  };
}

/** Values of the wrong kind for any argument or property. */
const WRONG_VALUES: Array<[string, unknown]> = [
  ['undefined', undefined],
  ['null', null],
  ['a string', 'x'],
  ['a boolean', true],
  ['an object', {}],
  ['an array', [1, 2, 3]],
  ['a function', () => 1],
  ['a symbol', Symbol('s')],
  ['a bigint', 5n],
];

/** Numbers that break ranges and integer assumptions. */
const BAD_NUMBERS: Array<[string, number]> = [
  ['-1', -1],
  ['0', 0],
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity],
  ['1.5', 1.5],
  ['2^31', 2 ** 31],
  ['2^32+1', 2 ** 32 + 1],
  ['2^53', 2 ** 53],
  ['2^62', 2 ** 62],
  ['-2^63', -(2 ** 63)],
  ['1e300', 1e300],
];

function wrongTypedArrays(a: ArrayBufferView & { length: number }): Array<[string, unknown]> {
  const n = a.length;
  const out: Array<[string, unknown]> = [
    ['Float64Array', new Float64Array(n)],
    ['Uint8Array', new Uint8Array(n)],
    ['Uint32Array', new Uint32Array(n)],
    ['DataView', new DataView(new ArrayBuffer(n * 4))],
    ['empty', new (a.constructor as new (n: number) => unknown)(0)],
    ['one short', new (a.constructor as new (n: number) => unknown)(Math.max(0, n - 1))],
    ['one long', new (a.constructor as new (n: number) => unknown)(n + 1)],
  ];
  if (a instanceof Float32Array) out.push(['Int32Array', new Int32Array(n)]);
  if (a instanceof Int32Array) {
    out.push(['Float32Array', new Float32Array(n)]);
    for (const [what, v] of [
      ['-1', -1],
      ['2^31-1', 0x7fffffff],
      ['-2^31', -0x80000000],
      ['10', 10],
    ] as const) {
      for (const at of new Set([0, Math.floor(n / 2), n - 1])) {
        if (at < 0) continue;
        const c = Int32Array.from(a as Int32Array);
        c[at] = v;
        out.push([`element ${at} = ${what}`, c]);
      }
    }
    if (n >= 2) out.push(['reversed', Int32Array.from(a as Int32Array).reverse()]);
  }
  if (a instanceof Float32Array && n > 0) {
    for (const [what, v] of [
      ['NaN', NaN],
      ['Infinity', Infinity],
      ['-3e38', -3e38],
    ] as const) {
      const c = Float32Array.from(a as Float32Array);
      c[0] = v;
      out.push([`element 0 = ${what}`, c]);
    }
  }
  return out;
}

function replacements(value: unknown): Array<[string, unknown]> {
  const out = [...WRONG_VALUES];
  if (typeof value === 'number') out.push(...BAD_NUMBERS);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) out.push(...wrongTypedArrays(value as Float32Array));
  return out;
}

export interface GarbageCase {
  binding: string;
  what: string;
  args: unknown[];
}

/**
 * Every mutation of every binding's valid call: positional arguments, then
 * each property of object arguments (and of nested objects such as a CSR).
 */
export function* garbageCases(): Generator<GarbageCase> {
  for (const [binding, make] of Object.entries(BINDINGS)) {
    const count = make().length;
    yield { binding, what: 'no arguments', args: [] };
    for (let i = 0; i < count; i++) {
      for (const [what, v] of replacements(make()[i])) {
        const args = make();
        args[i] = v;
        yield { binding, what: `argument ${i} = ${what}`, args };
      }
      yield* propertyCases(binding, make, [i]);
    }
  }
}

function at(root: unknown[], path: Array<number | string>): unknown {
  let v: unknown = root;
  for (const p of path) v = (v as Record<string | number, unknown>)[p];
  return v;
}

function* propertyCases(binding: string, make: () => unknown[], path: Array<number | string>): Generator<GarbageCase> {
  const value = at(make(), path);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
  for (const key of Object.keys(value)) {
    const name = `${path.join('.')}.${key}`;
    const del = make();
    delete (at(del, path) as Record<string, unknown>)[key];
    yield { binding, what: `${name} missing`, args: del };
    for (const [what, v] of replacements((value as Record<string, unknown>)[key])) {
      const args = make();
      (at(args, path) as Record<string, unknown>)[key] = v;
      yield { binding, what: `${name} = ${what}`, args };
    }
    yield* propertyCases(binding, make, [...path, key]);
  }
}

/**
 * Sizes chosen so that a wrapping multiplication would make a short array
 * look long enough (2^62 × 4 = 2^64 ≡ 0): each must be refused.
 */
export function overflowCases(): GarbageCase[] {
  const huge = 2 ** 62;
  const cases: GarbageCase[] = [];
  const topk = BINDINGS.topkSync!()[0] as Record<string, unknown>;
  cases.push({
    binding: 'topkSync',
    what: 'k × rows wraps to 0',
    args: [
      { ...topk, rows: new Int32Array(4), k: huge, items: new Int32Array(0), scores: new Float32Array(0), filterIndptr: undefined, filterIndices: undefined },
    ],
  });
  const bpr = BINDINGS.bprEpoch!()[0] as Record<string, unknown>;
  cases.push({
    binding: 'bprEpoch',
    what: 'users × factors wraps to 0',
    args: [
      {
        ...bpr,
        indptr: Int32Array.of(0, 1, 1, 1, 1),
        indices: Int32Array.of(0),
        users: 4,
        factors: huge,
        userFactors: new Float32Array(0),
        itemFactors: new Float32Array(0),
      },
    ],
  });
  const itemItem = BINDINGS.itemItemTopKSync!()[0] as Record<string, unknown>;
  cases.push({
    binding: 'itemItemTopKSync',
    what: 'k × rows wraps to 0',
    args: [{ ...itemItem, rows: new Int32Array(4), k: huge, outItems: new Int32Array(0), outScores: new Float32Array(0), filterIndptr: undefined }],
  });
  cases.push({ binding: 'itemItemTopKSync', what: 'items × items past 2^53', args: [{ ...itemItem, items: 2 ** 31 - 1, dense: new Float32Array(0) }] });
  cases.push({ binding: 'alsGram', what: 'rows × factors wraps to 0', args: [{ y: new Float32Array(0), rows: huge, factors: 4, out: new Float32Array(16) }] });
  cases.push({
    binding: 'alsGram',
    what: 'rows = 2^53 with factors 1',
    args: [{ y: new Float32Array(0), rows: 2 ** 53, factors: 1, out: new Float32Array(1) }],
  });
  cases.push({
    binding: 'easeFit',
    what: 'items × items wraps to 0',
    args: [
      {
        byUser: { rows: 0, cols: 2 ** 31 - 1, indptr: Int32Array.of(0), indices: new Int32Array(0), values: new Float32Array(0) },
        lambda: 1,
        threads: 1,
        out: new Float32Array(0),
      },
    ],
  });
  const neighbours = BINDINGS.itemNeighbours!()[0] as Record<string, unknown>;
  cases.push({
    binding: 'itemNeighbours',
    what: 'k = 2^31 − 1 with empty outputs',
    args: [{ ...neighbours, k: 2 ** 31 - 1, outIndices: new Int32Array(0), outScores: new Float32Array(0) }],
  });
  return cases;
}
