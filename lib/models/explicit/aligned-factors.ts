/**
 * Factor arrays whose first element lies on a 64-byte cache line. With rows
 * a whole number of lines long (factors a multiple of 16) every row then
 * starts a line, and the native epoch trains the rows in place; an array off
 * a line costs it a copy to an aligned buffer and back every epoch
 * (native/kernels/sgd.cc: LineAlignedRows).
 */
import { sgdBinding } from '../../addon/sgd.js';

const LINE_BYTES = 64;

/** A zeroed Float32Array of `length` floats starting on a cache line (a view into a buffer 64 bytes longer). */
export function lineAlignedFloats(length: number): Float32Array {
  if (length === 0) return new Float32Array(0);
  const buffer = new ArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT + LINE_BYTES);
  // Array buffers' memory never moves, so the offset found now holds for the array's life.
  const past = sgdBinding().sgdLineOffset(new Float32Array(buffer));
  const shift = (LINE_BYTES - past) % LINE_BYTES;
  // Buffers are at least 8-byte aligned; a float-misaligned one (never seen) just stays off a line.
  return new Float32Array(buffer, shift % Float32Array.BYTES_PER_ELEMENT === 0 ? shift : 0, length);
}
