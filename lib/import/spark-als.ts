/**
 * A Spark MLlib ALSModel directory, as `model.write.save(path)` lays it
 * out: `metadata/part-00000`, one JSON line (`class`
 * org.apache.spark.ml.recommendation.ALSModel, `rank`, `paramMap`,
 * `defaultParamMap`), and `userFactors/` and `itemFactors/`, each a folder
 * of Parquet part files with columns `id: int` and `features: array<float>`.
 * Parquet is read with hyparquet (snappy, Spark's default codec, and the
 * other codecs through hyparquet-compressors), one row group at a time.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { asyncBufferFromFile, parquetMetadataAsync, parquetReadObjects, type AsyncBuffer, type FileMetaData } from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { ErrorCodes, MfrecError } from '../errors.js';
import { readTextFile } from '../persist/read-text-file.js';
import { allocateFloats } from '../models/base/memory-limit.js';
import { finiteFloats, type ImportedFactors } from './imported-factors.js';
import { corrupt } from './npy.js';

const ALS_MODEL_CLASS = 'org.apache.spark.ml.recommendation.ALSModel';

/** Reads the model directory `dir` (always an ALS model). */
export async function readSparkAls(dir: string): Promise<ImportedFactors> {
  const isDirectory = await stat(dir).then(
    (s) => s.isDirectory(),
    (e: NodeJS.ErrnoException) => {
      throw new MfrecError(ErrorCodes.IO, `Cannot read the Spark model ${dir}: ${e.code === 'ENOENT' ? 'no such directory' : e.message}`, { cause: e });
    },
  );
  if (!isDirectory)
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${dir} is a file: a Spark ALSModel is a directory (metadata/, userFactors/, itemFactors/)`);
  const metadataFile = path.join(dir, 'metadata', 'part-00000');
  const metadata = parseMetadata(await readTextFile(metadataFile, 'the Spark model metadata', 1024 * 1024), metadataFile);
  const rank = metadata.rank;
  const users = await readFactorFolder(path.join(dir, 'userFactors'), rank);
  const items = await readFactorFolder(path.join(dir, 'itemFactors'), rank);
  return {
    model: 'als',
    factors: rank,
    userIds: users.ids,
    itemIds: items.ids,
    users: users.ids.length,
    items: items.ids.length,
    userFactors: users.factors,
    itemFactors: items.factors,
    params: metadata.params,
  };
}

/**
 * The metadata line. A saved ALSModel's params are its columns and cold-start
 * strategy; Spark keeps regParam, alpha and implicitPrefs on the estimator,
 * so they are read only when a writer added them.
 */
function parseMetadata(text: string, file: string): { rank: number; params: Record<string, unknown> } {
  const line = text.split('\n').find((l) => l.trim() !== '');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(line ?? '') as Record<string, unknown>;
  } catch (e) {
    throw corrupt(file, `not a JSON line: ${(e as Error).message}`);
  }
  if (json === null || typeof json !== 'object') throw corrupt(file, 'not a JSON object');
  if (json.class !== ALS_MODEL_CLASS) {
    throw new MfrecError(ErrorCodes.INVALID_ARGUMENT, `${file}: class ${JSON.stringify(json.class)} is not ${ALS_MODEL_CLASS}`);
  }
  const rank = json.rank;
  if (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 1) throw corrupt(file, `rank ${JSON.stringify(rank)} is not a positive integer`);
  const given = { ...(asObject(json.defaultParamMap) ?? {}), ...(asObject(json.paramMap) ?? {}) };
  const params: Record<string, unknown> = {};
  if (typeof given.regParam === 'number') params.regularization = given.regParam;
  if (typeof given.alpha === 'number') params.alpha = given.alpha;
  if (typeof given.maxIter === 'number') params.iterations = given.maxIter;
  return { rank, params };
}

function asObject(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

/** Every part file of a factor folder, in name order: ids and row-major factors. */
async function readFactorFolder(folder: string, rank: number): Promise<{ ids: number[]; factors: Float32Array }> {
  let names: string[];
  try {
    names = (await readdir(folder)).filter((n) => n.endsWith('.parquet') && !n.startsWith('.') && !n.startsWith('_')).sort();
  } catch (e) {
    throw new MfrecError(
      ErrorCodes.IO,
      `Cannot read the Spark factor folder ${folder}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (e as Error).message}`,
      { cause: e },
    );
  }
  if (names.length === 0) throw corrupt(folder, 'no Parquet part file (*.parquet)');
  const ids: number[] = [];
  const chunks: Float32Array[] = [];
  const firstSeen = new Map<number, string>();
  for (const name of names) {
    const file = path.join(folder, name);
    for await (const rows of rowGroups(file)) {
      const values: number[] = [];
      rows.forEach((row, r) => {
        const where = `${file}: row ${rows.offset + r}`;
        // Spark's ids are int; a long column is taken while its values are exact.
        const id =
          typeof row.id === 'bigint' && row.id <= BigInt(Number.MAX_SAFE_INTEGER) && row.id >= -BigInt(Number.MAX_SAFE_INTEGER) ? Number(row.id) : row.id;
        if (typeof id !== 'number' || !Number.isSafeInteger(id)) throw corrupt(where, `id ${String(id)} is not an integer`);
        const before = firstSeen.get(id);
        if (before !== undefined) throw corrupt(where, `id ${id} appears twice (first in ${before})`);
        firstSeen.set(id, where);
        const features = row.features;
        if (!Array.isArray(features)) throw corrupt(where, `features of id ${id} is not an array`);
        if (features.length !== rank) throw corrupt(where, `id ${id} has ${features.length} features, the metadata's rank is ${rank}`);
        ids.push(id);
        for (const f of features) values.push(typeof f === 'number' ? f : NaN);
      });
      chunks.push(finiteFloats(values, 'features', rank, (why) => corrupt(file, why), rows.offset));
    }
  }
  const factors = allocateFloats(ids.length * rank, `${ids.length} factor rows of ${folder}`);
  let at = 0;
  for (const c of chunks) {
    factors.set(c, at);
    at += c.length;
  }
  return { ids, factors };
}

type Rows = Array<Record<string, unknown>> & { offset: number };

/** The rows of one Parquet file, a row group at a time (the `id` and `features` columns). */
async function* rowGroups(file: string): AsyncGenerator<Rows> {
  let buffer: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    buffer = await asyncBufferFromFile(file);
    metadata = await parquetMetadataAsync(buffer);
  } catch (e) {
    throw corrupt(file, `not a readable Parquet file: ${(e as Error).message}`);
  }
  const columns = metadata.schema.map((s) => s.name);
  for (const needed of ['id', 'features']) {
    if (!columns.includes(needed)) throw corrupt(file, `no ${needed} column (columns: ${columns.slice(1).join(', ')})`);
  }
  let start = 0;
  for (const group of metadata.row_groups) {
    const end = start + Number(group.num_rows);
    let rows: Array<Record<string, unknown>>;
    try {
      rows = await parquetReadObjects({ file: buffer, metadata, columns: ['id', 'features'], rowStart: start, rowEnd: end, compressors });
    } catch (e) {
      throw corrupt(file, `unreadable rows ${start}–${end - 1}: ${(e as Error).message}`);
    }
    yield Object.assign(rows, { offset: start });
    start = end;
  }
}
