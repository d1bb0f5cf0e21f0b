/**
 * The .npy array format (NumPy's format spec, versions 1–3): the magic
 * "\x93NUMPY", a major/minor version, a header length (2 bytes in version 1,
 * 4 in versions 2 and 3), then a Python dict literal
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (60, 8), }` padded
 * with spaces, then the raw little-endian values in C order.
 *
 * Only what saved factor models hold is read: float32 / float64 matrices and
 * scalars of float, integer, bool and unicode-string type. Anything else
 * (big-endian, Fortran order, objects, a truncated body) is refused with a
 * typed error naming the file and the array.
 */
import { ErrorCodes, MfrecError } from '../errors.js';

/** One array: its type code, its shape, and its values (numbers, or the string of a '<U' scalar). */
export interface NpyArray {
  descr: string;
  shape: number[];
  /** float32 / float64 arrays keep their width; integers and bools become numbers. */
  values: Float32Array | Float64Array | number[] | string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Element types read, with their size in bytes ('<U' strings are 4 bytes per character). */
const NUMBER_TYPES: Record<string, number> = { '<f4': 4, '<f8': 8, '<i4': 4, '<i8': 8, '<u4': 4, '<u8': 8, '|b1': 1, '|u1': 1, '|i1': 1 };

export function corrupt(where: string, why: string): MfrecError {
  return new MfrecError(ErrorCodes.CORRUPT_FILE, `${where}: ${why}`);
}

/** Parses one .npy file held in `bytes`; `where` names it in errors ("model.npz: user_factors"). */
export function parseNpy(bytes: Uint8Array, where: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, k) => bytes[k] !== b)) throw corrupt(where, 'not a NumPy .npy array (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw corrupt(where, `.npy format version ${major} is not one of 1, 2, 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw corrupt(where, 'truncated .npy header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes;
  if (start + headerLength > bytes.length) throw corrupt(where, 'truncated .npy header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const { descr, fortranOrder, shape } = parseHeader(header, where);
  if (fortranOrder) throw corrupt(where, 'the array is stored in Fortran (column-major) order; save it in C order (numpy.ascontiguousarray)');
  const count = shape.reduce((a, b) => a * b, 1);
  const body = bytes.subarray(start + headerLength);
  if (descr.startsWith('<U')) {
    const chars = Number(descr.slice(2));
    if (shape.length !== 0 || !Number.isInteger(chars)) throw corrupt(where, `unsupported string array ${descr} of shape (${shape.join(', ')})`);
    if (body.length < 4 * chars) throw corrupt(where, `truncated: ${body.length} bytes of data, the header promises ${4 * chars}`);
    let text = '';
    for (let c = 0; c < chars; c++) {
      const code = new DataView(body.buffer, body.byteOffset + 4 * c, 4).getUint32(0, true);
      if (code === 0) break;
      text += String.fromCodePoint(code);
    }
    return { descr, shape, values: text };
  }
  const size = NUMBER_TYPES[descr];
  if (size === undefined) throw corrupt(where, `element type ${JSON.stringify(descr)} is not read (float32 '<f4' or float64 '<f8' factors, little-endian)`);
  const need = count * size;
  if (body.length < need) throw corrupt(where, `truncated: ${body.length} bytes of data, shape (${shape.join(', ')}) of ${descr} needs ${need}`);
  // Copied out: the zip reader's buffer may not be aligned for a typed array view.
  const data = body.slice(0, need);
  if (descr === '<f4') return { descr, shape, values: new Float32Array(data.buffer, 0, count) };
  if (descr === '<f8') return { descr, shape, values: new Float64Array(data.buffer, 0, count) };
  const dv = new DataView(data.buffer);
  const values: number[] = [];
  for (let k = 0; k < count; k++) values.push(readNumber(dv, descr, k * size));
  return { descr, shape, values };
}

function readNumber(dv: DataView, descr: string, offset: number): number {
  switch (descr) {
    case '<i4':
      return dv.getInt32(offset, true);
    case '<u4':
      return dv.getUint32(offset, true);
    case '<i8':
      return Number(dv.getBigInt64(offset, true));
    case '<u8':
      return Number(dv.getBigUint64(offset, true));
    case '|i1':
      return dv.getInt8(offset);
    default: // '|b1', '|u1'
      return dv.getUint8(offset);
  }
}

/** The three keys of the header dict, read strictly: anything unexpected is a corrupt header. */
function parseHeader(header: string, where: string): { descr: string; fortranOrder: boolean; shape: number[] } {
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined || !/^\s*\{.*\}\s*$/s.test(header)) {
    throw corrupt(where, `unreadable .npy header ${JSON.stringify(header.trim().slice(0, 80))}`);
  }
  const parts = shapeText.split(',').map((p) => p.trim());
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  const shape = parts.map((p) => (/^\d+$/.test(p) ? Number(p) : NaN));
  if (shape.some((n) => !Number.isSafeInteger(n))) throw corrupt(where, `unreadable shape (${shapeText})`);
  return { descr, fortranOrder: fortran === 'True', shape };
}
