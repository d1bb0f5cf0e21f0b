/**
 * Writes an ALSModel directory in the layout Spark MLlib's `model.write.save(path)`
 * produces (Spark cannot run in these tests): `metadata/part-00000` holding one
 * JSON line, and `userFactors/` and `itemFactors/` holding snappy Parquet part
 * files with `id: int` (required int32) and `features: array<float>` (a LIST of
 * float), plus the `_SUCCESS` markers and hidden `.crc` files Spark leaves beside them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parquetWriteBuffer } from 'hyparquet-writer';

export interface FactorRows {
  ids: number[];
  features: number[][];
}

const FACTOR_SCHEMA = [
  { name: 'spark_schema', num_children: 2 },
  { name: 'id', type: 'INT32', repetition_type: 'REQUIRED' },
  { name: 'features', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
  { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
  { name: 'element', type: 'FLOAT', repetition_type: 'REQUIRED' },
] as const;

export function sparkMetadata(rank: number, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    class: 'org.apache.spark.ml.recommendation.ALSModel',
    timestamp: 1764892800000,
    sparkVersion: '3.5.1',
    uid: 'als_5f0c2a9d7b1e',
    paramMap: { userCol: 'user', itemCol: 'item', coldStartStrategy: 'drop' },
    defaultParamMap: { blockSize: 4096, userCol: 'user', itemCol: 'item', predictionCol: 'prediction', coldStartStrategy: 'nan' },
    rank,
    ...extra,
  });
}

/** One Parquet part file's bytes (row groups of `rowGroupSize` rows). */
export function factorParquet(rows: FactorRows, rowGroupSize = 1000): ArrayBuffer {
  return parquetWriteBuffer({
    columnData: [
      { name: 'id', data: rows.ids },
      { name: 'features', data: rows.features },
    ],
    schema: FACTOR_SCHEMA as never,
    codec: 'SNAPPY',
    rowGroupSize,
  });
}

/** The whole directory; each side's rows are split over `parts` part files. */
export function writeSparkModel(
  dir: string,
  rank: number,
  users: FactorRows,
  items: FactorRows,
  options: { parts?: number; metadata?: string; rowGroupSize?: number } = {},
): void {
  const parts = options.parts ?? 2;
  mkdirSync(path.join(dir, 'metadata'), { recursive: true });
  writeFileSync(path.join(dir, 'metadata', 'part-00000'), `${options.metadata ?? sparkMetadata(rank)}\n`);
  writeFileSync(path.join(dir, 'metadata', '.part-00000.crc'), 'crc');
  writeFileSync(path.join(dir, 'metadata', '_SUCCESS'), '');
  for (const [side, rows] of [
    ['userFactors', users],
    ['itemFactors', items],
  ] as const) {
    const folder = path.join(dir, side);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, '_SUCCESS'), '');
    const per = Math.ceil(rows.ids.length / parts);
    for (let p = 0; p < parts; p++) {
      const slice = { ids: rows.ids.slice(p * per, (p + 1) * per), features: rows.features.slice(p * per, (p + 1) * per) };
      const name = `part-0000${p}-7a1e3c55-1f0b-4c1e-9d0a-2b6f4e8c9a10-c000.snappy.parquet`;
      writeFileSync(path.join(folder, name), new Uint8Array(factorParquet(slice, options.rowGroupSize)));
      writeFileSync(path.join(folder, `.${name}.crc`), 'crc');
    }
  }
}
