/**
 * The seeded generator shared with the native kernels (native/kernels/random.h):
 * same algorithm, same outputs for the same seed, so TypeScript twins replay
 * exactly what the C++ kernels do.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** An independent stream for (seed, index), as Rng::stream in C++. */
  static stream(seed: number, index: number): Rng {
    const r = new Rng((seed ^ Math.imul(index, 0x632be5ab)) >>> 0);
    r.next();
    return r;
  }

  next(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** Uniform in [0, 1) with 24 random bits. */
  uniform(): number {
    return (this.next() >>> 8) / 16777216;
  }

  /** Uniform integer in [0, n), n < 2^32: floor(next * n / 2^32), computed exactly. */
  below(n: number): number {
    const x = this.next();
    const hi = (x >>> 16) * n;
    const lo = (x & 0xffff) * n;
    return Math.floor((hi + Math.floor(lo / 65536)) / 65536);
  }

  /** Standard normal (Box-Muller), rounded to float32 like the C++ version. */
  normal(): number {
    const u1 = 1 - (this.next() >>> 8) / 16777216;
    const u2 = (this.next() >>> 8) / 16777216;
    return Math.fround(Math.sqrt(-2 * Math.log(u1)) * Math.cos(6.283185307179586 * u2));
  }

  /** Fisher-Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}
