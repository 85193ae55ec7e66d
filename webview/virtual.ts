// Row geometry for the virtualised traces table: each row's height (estimated until the row has
// been rendered and measured), their running offsets, and which rows a band of pixels covers.
// Pure: no DOM, so the tests can import it.

export class RowLayout {
  private readonly heights: Float64Array;
  private readonly measured: Uint8Array;
  private readonly tops: Float64Array;
  private dirtyFrom = 0;

  constructor(estimates: ArrayLike<number>) {
    this.heights = Float64Array.from(estimates, (h) => Math.max(1, h));
    this.measured = new Uint8Array(this.heights.length);
    this.tops = new Float64Array(this.heights.length + 1);
  }

  get length(): number {
    return this.heights.length;
  }

  isMeasured(i: number): boolean {
    return this.measured[i] === 1;
  }

  /** Records a measured height; true when it changed the layout. */
  set(i: number, h: number): boolean {
    if (i < 0 || i >= this.heights.length || !(h > 0)) return false;
    this.measured[i] = 1;
    if (Math.abs(this.heights[i]! - h) < 0.5) return false;
    this.heights[i] = h;
    if (i < this.dirtyFrom) this.dirtyFrom = i;
    return true;
  }

  private settle(): void {
    const n = this.heights.length;
    if (this.dirtyFrom > n) return;
    for (let i = Math.max(0, this.dirtyFrom); i < n; i++) this.tops[i + 1] = this.tops[i]! + this.heights[i]!;
    this.dirtyFrom = n + 1;
  }

  /** Top of row i (i = length: the total height). */
  top(i: number): number {
    this.settle();
    return this.tops[Math.max(0, Math.min(this.heights.length, i))]!;
  }

  height(i: number): number {
    return this.heights[i] ?? 0;
  }

  total(): number {
    return this.top(this.heights.length);
  }

  /** The row at height y (clamped to the rows there are; −1 when there are none). */
  indexAt(y: number): number {
    const n = this.heights.length;
    if (n === 0) return -1;
    this.settle();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.tops[mid]! <= y) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The rows that [y0, y1] overlaps, as [first, last] (inclusive); [0, −1] when there are none. */
  range(y0: number, y1: number): [number, number] {
    if (this.heights.length === 0) return [0, -1];
    return [this.indexAt(y0), this.indexAt(Math.max(y0, y1))];
  }
}
