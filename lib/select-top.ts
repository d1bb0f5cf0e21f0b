/**
 * Keeps the k best (score, index) pairs offered to it, for rankings computed
 * in TypeScript (popularity, cold start, the top-K twin). Same order as the
 * native kernel: higher score first, ties to the lower index, NaN never kept.
 */
export class TopSelector {
  private readonly score: Float64Array;
  private readonly index: Int32Array;
  private n = 0;

  constructor(readonly capacity: number) {
    this.score = new Float64Array(capacity);
    this.index = new Int32Array(capacity);
  }

  get size(): number {
    return this.n;
  }

  clear(): void {
    this.n = 0;
  }

  offer(score: number, index: number): void {
    if (Number.isNaN(score) || this.capacity === 0) return;
    if (this.n < this.capacity) {
      let i = this.n++;
      this.score[i] = score;
      this.index[i] = index;
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!this.worse(i, p)) break;
        this.swap(i, p);
        i = p;
      }
    } else if (score > this.score[0]! || (score === this.score[0]! && index < this.index[0]!)) {
      // The top is the worst kept pair; the newcomer beats it.
      this.score[0] = score;
      this.index[0] = index;
      this.siftDown(0, this.n);
    }
  }

  /**
   * Empties the selector into `items` / `scores` from `offset`, best first,
   * padding up to `width` with index −1 and score −Infinity; returns the number kept.
   */
  drain(items: Int32Array, scores: Float32Array, offset: number, width: number): number {
    const m = this.n;
    // Heap sort in place: repeatedly move the worst to the end.
    for (let end = m - 1; end > 0; end--) {
      this.swap(0, end);
      this.siftDown(0, end);
    }
    for (let i = 0; i < m; i++) {
      items[offset + i] = this.index[i]!;
      scores[offset + i] = this.score[i]!;
    }
    items.fill(-1, offset + m, offset + width);
    scores.fill(-Infinity, offset + m, offset + width);
    this.n = 0;
    return m;
  }

  /** "Entry a ranks below entry b". */
  private worse(a: number, b: number): boolean {
    const sa = this.score[a]!;
    const sb = this.score[b]!;
    return sa < sb || (sa === sb && this.index[a]! > this.index[b]!);
  }

  private siftDown(i: number, n: number): void {
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let m = l;
      if (l + 1 < n && this.worse(l + 1, l)) m = l + 1;
      if (!this.worse(m, i)) return;
      this.swap(m, i);
      i = m;
    }
  }

  private swap(a: number, b: number): void {
    const s = this.score[a]!;
    this.score[a] = this.score[b]!;
    this.score[b] = s;
    const x = this.index[a]!;
    this.index[a] = this.index[b]!;
    this.index[b] = x;
  }
}
