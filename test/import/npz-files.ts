/** Writing small .npz files for the importer's tests, and reading a fixture's arrays independently of lib/import. */
import { readFileSync, writeFileSync } from 'node:fs';
import { unzipSync, zipSync } from 'fflate';

export interface NpySpec {
  descr: string;
  shape: number[];
  /** The body's bytes (little-endian values). */
  body: Uint8Array;
  fortranOrder?: boolean;
}

/** A .npy file (version 1 by default; 2 has a 4-byte header length): magic, version, header length, dict padded to 64 bytes with a newline, body. */
export function npyBytes(a: NpySpec, version: 1 | 2 = 1): Uint8Array {
  const shape = a.shape.length === 1 ? `(${a.shape[0]},)` : `(${a.shape.join(', ')})`;
  let header = `{'descr': '${a.descr}', 'fortran_order': ${a.fortranOrder ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const prefix = version === 1 ? 10 : 12;
  const total = Math.ceil((prefix + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - prefix - 1, ' ')}\n`;
  const out = new Uint8Array(prefix + header.length + a.body.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, version, 0], 0);
  if (version === 1) new DataView(out.buffer).setUint16(8, header.length, true);
  else new DataView(out.buffer).setUint32(8, header.length, true);
  out.set(new TextEncoder().encode(header), prefix);
  out.set(a.body, prefix + header.length);
  return out;
}

export const f32 = (values: number[], shape: number[]): NpySpec => ({ descr: '<f4', shape, body: new Uint8Array(Float32Array.from(values).buffer) });
export const f64 = (values: number[], shape: number[]): NpySpec => ({ descr: '<f8', shape, body: new Uint8Array(Float64Array.from(values).buffer) });
export const scalarF8 = (v: number): NpySpec => f64([v], []);
export const scalarI8 = (v: number): NpySpec => ({ descr: '<i8', shape: [], body: new Uint8Array(BigInt64Array.of(BigInt(v)).buffer) });

/** Writes an .npz (a zip of NAME.npy entries) to `file`. */
export function writeNpz(file: string, arrays: Record<string, NpySpec>): void {
  const entries: Record<string, Uint8Array> = {};
  for (const [name, spec] of Object.entries(arrays)) entries[`${name}.npy`] = npyBytes(spec);
  writeFileSync(file, zipSync(entries, { level: 0 }));
}

/** A float32 matrix of a fixture .npz, read without lib/import: the expectations' source. */
export function fixtureMatrix(file: string, name: string): { rows: number; columns: number; values: Float32Array } {
  const npy = unzipSync(readFileSync(file))[`${name}.npy`]!;
  const headerLength = npy[8]! | (npy[9]! << 8);
  const header = new TextDecoder().decode(npy.subarray(10, 10 + headerLength));
  if (!header.includes("'descr': '<f4'")) throw new Error(`fixture ${name} is not float32: ${header}`);
  const [rows, columns] = /'shape': \((\d+), (\d+)\)/.exec(header)!.slice(1).map(Number) as [number, number];
  const values = new Float32Array(npy.slice(10 + headerLength).buffer, 0, rows * columns);
  return { rows, columns, values };
}
