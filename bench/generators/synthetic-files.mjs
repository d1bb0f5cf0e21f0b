/**
 * Building blocks of the synthetic benchmark datasets (generate-ratings.mjs,
 * generate-counts.mjs): a seeded generator, skewed user activity, power-law
 * item popularity, distinct items per user, streamed text output, a cache of
 * generated files under bench/.data/, and the command line they share.
 */
import { createWriteStream, existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Counter-based generator: the same mixing function as lib/random.ts. */
export class Rng {
  constructor(seed) {
    this.state = seed >>> 0;
  }
  next() {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }
  uniform() {
    return (this.next() >>> 8) / 16777216;
  }
  below(n) {
    return Math.floor(this.uniform() * n);
  }
  normal() {
    const u1 = 1 - this.uniform();
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }
}

export function gaussianMatrix(rng, rows, cols, sd) {
  const m = new Float64Array(rows * cols);
  for (let k = 0; k < m.length; k++) m[k] = rng.normal() * sd;
  return m;
}

/**
 * How many items each user has: log-normal weights (spread `sigma`) scaled to
 * `total`, at most `items` each; the rounding remainder goes to random users.
 */
export function userCounts(rng, users, items, total, sigma = 1) {
  const weights = new Float64Array(users);
  let sum = 0;
  for (let u = 0; u < users; u++) sum += weights[u] = Math.exp(rng.normal() * sigma);
  const counts = new Int32Array(users);
  let given = 0;
  for (let u = 0; u < users; u++) given += counts[u] = Math.min(items, Math.floor((total * weights[u]) / sum));
  for (let guard = 0; given < total && guard < total * 4; guard++) {
    const u = rng.below(users);
    if (counts[u] < items) {
      counts[u]++;
      given++;
    }
  }
  return counts;
}

/** Item popularity by rank, weight(rank) = (rank + shift)^-exponent, sampled by inverse CDF. */
export class PowerLaw {
  constructor(items, exponent, shift) {
    this.cdf = new Float64Array(items);
    let acc = 0;
    for (let r = 0; r < items; r++) this.cdf[r] = acc += (r + shift) ** -exponent;
    for (let r = 0; r < items; r++) this.cdf[r] /= acc;
  }
  /** The rank whose CDF interval holds `x` in [0, 1). */
  rank(x) {
    const cdf = this.cdf;
    let lo = 0;
    let hi = cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid] < x) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  /** Share of all draws that land on the top `fraction` of items. */
  topShare(fraction) {
    return this.cdf[Math.max(0, Math.ceil(this.cdf.length * fraction) - 1)];
  }
}

/**
 * Draws popular-biased items for one user at a time without repeats: call
 * `draw(u)` up to `items` times per user u (users in increasing order).
 */
export class DistinctItems {
  constructor(rng, popularity) {
    this.rng = rng;
    this.popularity = popularity;
    this.takenBy = new Int32Array(popularity.cdf.length).fill(-1);
  }
  draw(u) {
    const { rng, popularity, takenBy } = this;
    let i = popularity.rank(rng.uniform());
    // Rejection keeps a user's items distinct; a uniform draw ends long rejection runs.
    for (let tries = 0; takenBy[i] === u; tries++) i = tries < 32 ? popularity.rank(rng.uniform()) : rng.below(takenBy.length);
    takenBy[i] = u;
    return i;
  }
}

/** A random permutation of 1..n: public ids of items by popularity rank. */
export function shuffledIds(rng, n) {
  const ids = Int32Array.from({ length: n }, (_, r) => r + 1);
  for (let r = n - 1; r > 0; r--) {
    const j = rng.below(r + 1);
    [ids[r], ids[j]] = [ids[j], ids[r]];
  }
  return ids;
}

/** Buffers text lines and writes them to `out` in ~1 MB pieces, honouring backpressure. */
export class LineWriter {
  constructor(out) {
    this.out = out;
    this.text = '';
    this.lines = 0;
  }
  async line(text) {
    this.text += text;
    this.text += '\n';
    this.lines++;
    if (this.text.length > 1 << 20) await this.flush();
  }
  async flush() {
    if (this.text !== '' && !this.out.write(this.text)) await new Promise((resolve) => this.out.once('drain', resolve));
    this.text = '';
  }
}

/**
 * Applies `--scale f` (in (0, 1]): users and interactions (the options named
 * in `linear`) times f, items times sqrt(f), so each user keeps the same
 * number of items and a small file stays feasible (density grows as 1/sqrt(f)).
 */
export function scaled(options, linear) {
  const scale = options.scale ?? 1;
  if (!(scale > 0 && scale <= 1)) throw new Error(`--scale must be in (0, 1], got ${scale}`);
  const out = { ...options };
  delete out.scale;
  for (const name of linear) out[name] = Math.max(1, Math.round(options[name] * scale));
  out.items = Math.max(1, Math.round(options.items * Math.sqrt(scale)));
  return out;
}

const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** bench/.data/<name>: where generated files are cached (git-ignored). */
export function dataPath(name) {
  return path.join(benchDir, '.data', name);
}

/** Path of a cached file, generated by `generate(writable)` first when it does not exist yet. */
export async function ensureFile(file, generate) {
  if (existsSync(file)) return file;
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial`;
  const out = createWriteStream(partial);
  await generate(out);
  await new Promise((resolve, reject) => out.end((e) => (e ? reject(e) : resolve())));
  renameSync(partial, file);
  return file;
}

/**
 * The command line of a generator script: `--name value` for each integer
 * option in `defaults`, `--scale f`, `--out FILE` (stdout otherwise). Runs
 * `generate(out, options)` and reports the line count on stderr.
 */
export async function runGeneratorCli(argv, defaults, generate, what) {
  const options = {};
  let outPath;
  for (let k = 0; k < argv.length; k += 2) {
    const name = argv[k]?.replace(/^--/, '');
    const value = argv[k + 1]?.replaceAll('_', '');
    if (name === 'out' && value !== undefined) outPath = value;
    else if (name === 'scale' && value !== undefined && Number.isFinite(Number(value))) options.scale = Number(value);
    else if (name in defaults && value !== undefined && /^\d+$/.test(value)) options[name] = Number(value);
    else {
      throw new Error(`unknown or incomplete argument ${argv[k]} (known: --${Object.keys(defaults).join(', --')}, --scale, --out)`);
    }
  }
  // A closed pipe (`| head`) ends the run quietly.
  process.stdout.on('error', (e) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
  const out = outPath ? createWriteStream(outPath) : process.stdout;
  const n = await generate(out, options);
  if (outPath) await new Promise((resolve) => out.end(resolve));
  process.stderr.write(`${n} ${what} written${outPath ? ` to ${outPath}` : ''}\n`);
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl) {
  return process.argv[1] !== undefined && fileURLToPath(moduleUrl) === path.resolve(process.argv[1]);
}
