/**
 * How much memory a fit may plan to use, and the one check every model runs
 * before its kernel allocates: a container's limit counts, not only the
 * machine's RAM (a 17 GB allocation inside a 3 GB container would end in the
 * kernel's out-of-memory killer, not in an error).
 *
 * The limit is the smallest of: the machine's memory, the process's
 * constrained memory as Node reports it, the cgroup v2 (`memory.max`) or v1
 * (`memory.limit_in_bytes`) limit, and the MFREC_MEMORY_LIMIT environment
 * variable (bytes, or a number with a K, M, G or T suffix, powers of 1024),
 * which lets an operator hold mfrec below what the host allows.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { ErrorCodes, MfrecError } from '../../errors.js';

/** Largest typed array V8 allocates, in elements. */
export const MAX_TYPED_ARRAY_ELEMENTS = 2 ** 32;

export interface MemoryLimit {
  bytes: number;
  /** Where the limit comes from, for messages: "this machine's memory", "the cgroup limit (…)", … */
  source: string;
}

/** Where the limit is read from; tests point these at their own files and variables. */
export interface MemoryLimitSources {
  env?: NodeJS.ProcessEnv;
  /** The cgroup file system's mount point (default /sys/fs/cgroup). */
  cgroupRoot?: string;
}

const SUFFIX: Record<string, number> = { '': 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 };

/** Parses MFREC_MEMORY_LIMIT; a malformed value is a typed error naming it. */
function parseLimit(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?\s*$/i.exec(value);
  const bytes = m ? Number(m[1]) * SUFFIX[m[2]!.toLowerCase()]! : NaN;
  if (!(bytes >= 1)) {
    throw new MfrecError(
      ErrorCodes.INVALID_ARGUMENT,
      `Expected a byte count such as 3221225472 or 3G for MFREC_MEMORY_LIMIT but received ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return bytes;
}

/** A cgroup limit file's value in bytes, or undefined ("max", absent, unreadable, or the v1 "no limit" sentinel). */
function cgroupFile(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
  if (!/^\d+$/.test(text)) return undefined;
  const bytes = Number(text);
  // cgroup v1 reports "no limit" as a page-aligned number near 2^63.
  return bytes > 0 && bytes < 2 ** 62 ? bytes : undefined;
}

/** The memory this process may use (see the file comment). */
export function memoryLimit(sources: MemoryLimitSources = {}): MemoryLimit {
  const env = sources.env ?? process.env;
  const root = sources.cgroupRoot ?? '/sys/fs/cgroup';
  let limit: MemoryLimit = { bytes: os.totalmem(), source: "this machine's memory" };
  const consider = (bytes: number | undefined, source: string): void => {
    if (bytes !== undefined && Number.isFinite(bytes) && bytes > 0 && bytes < limit.bytes) limit = { bytes, source };
  };
  if (sources.cgroupRoot === undefined) {
    const constrained = typeof process.constrainedMemory === 'function' ? process.constrainedMemory() : undefined;
    consider(constrained, "the process's memory limit (container)");
  }
  consider(cgroupFile(`${root}/memory.max`), `the cgroup memory limit (${root}/memory.max)`);
  consider(cgroupFile(`${root}/memory/memory.limit_in_bytes`), `the cgroup memory limit (${root}/memory/memory.limit_in_bytes)`);
  const configured = env.MFREC_MEMORY_LIMIT;
  if (configured !== undefined && configured !== '') consider(parseLimit(configured), 'MFREC_MEMORY_LIMIT');
  return limit;
}

export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let v = bytes;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 ? 0 : 1)} ${units[u]}`;
}

/**
 * Needs below this are not compared with the limit: reading the limit costs
 * file reads, and single recommendations (a few KB) run on a serving path.
 */
export const UNCHECKED_BYTES = 16 * 2 ** 20;

export interface MemoryNeed {
  /** The call, e.g. "ExplicitMF.fit". */
  where: string;
  /** What is being sized, e.g. "100 users and 50 items × 64 factors". */
  what: string;
  /** Total bytes the call will allocate. */
  bytes: number;
  /** Elements of its largest single typed array. */
  largestArray: number;
  /** How to need less, e.g. "use fewer factors". */
  remedy: string;
}

/**
 * Refuses, before anything is allocated, a need that cannot be met: one
 * array beyond the typed-array limit, or a total of at least
 * {@link UNCHECKED_BYTES} beyond {@link memoryLimit},
 * with ERR_MFREC_OUT_OF_MEMORY naming the sizes and the limit that applies.
 */
export function checkMemory(need: MemoryNeed, sources?: MemoryLimitSources): void {
  // Built only for a refusal: every recommend() passes here, and a process's first toLocaleString costs ~12 ms.
  const prefix = () => `${need.where} needs ${need.bytes.toLocaleString('en-US')} bytes (${formatBytes(need.bytes)}) for ${need.what}`;
  if (need.largestArray > MAX_TYPED_ARRAY_ELEMENTS) {
    throw new MfrecError(
      ErrorCodes.OUT_OF_MEMORY,
      `${prefix()}: an array of ${need.largestArray.toLocaleString('en-US')} elements exceeds the ` +
        `${MAX_TYPED_ARRAY_ELEMENTS.toLocaleString('en-US')}-element limit of a typed array; ${need.remedy}`,
    );
  }
  if (need.bytes < UNCHECKED_BYTES) return;
  const limit = memoryLimit(sources);
  if (need.bytes > limit.bytes) {
    throw new MfrecError(
      ErrorCodes.OUT_OF_MEMORY,
      `${prefix()}, more than ${limit.source}: ${formatBytes(limit.bytes)} (${limit.bytes.toLocaleString('en-US')} bytes); ${need.remedy}`,
    );
  }
}

/** A zeroed Float32Array, or ERR_MFREC_OUT_OF_MEMORY naming `what` when it cannot be allocated. */
export function allocateFloats(elements: number, what: string): Float32Array {
  try {
    return new Float32Array(elements);
  } catch (e) {
    throw new MfrecError(ErrorCodes.OUT_OF_MEMORY, `Could not allocate ${(elements * 4).toLocaleString('en-US')} bytes for ${what}`, { cause: e });
  }
}
