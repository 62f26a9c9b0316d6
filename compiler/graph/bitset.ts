/** A fixed-size set of small integers, 32 per word: ancestor sets of thousands of nodes stay cheap. */
export class BitSet {
  readonly words: Uint32Array;

  constructor(size: number, words = new Uint32Array((size + 31) >>> 5)) {
    this.words = words;
  }

  /** `count` empty sets of `size` over one buffer: one allocation instead of thousands. */
  static many(count: number, size: number): BitSet[] {
    const stride = (size + 31) >>> 5;
    const buffer = new Uint32Array(count * stride);
    return Array.from(
      { length: count },
      (_, i) => new BitSet(size, buffer.subarray(i * stride, (i + 1) * stride)),
    );
  }

  add(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) | (1 << (i & 31));
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  /** Removes `i`. */
  delete(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) & ~(1 << (i & 31));
  }

  /** Adds every member of `other`; with `end`, which they are all below, the words above are skipped. */
  union(other: BitSet, end = other.words.length * 32): void {
    const a = this.words;
    const b = other.words;
    const last = Math.min(a.length, (end + 31) >>> 5);
    for (let w = 0; w < last; w++) a[w] = (a[w] ?? 0) | (b[w] ?? 0);
  }

  /**
   * How many members this set shares with `other`. When the caller knows every shared member
   * to lie in [start, end), only the words that can hold them are read.
   */
  countAnd(other: BitSet, start = 0, end = this.words.length * 32): number {
    let count = 0;
    const a = this.words;
    const b = other.words;
    const last = Math.min(a.length, (end + 31) >>> 5);
    for (let w = start >>> 5; w < last; w++) {
      let x = (a[w] ?? 0) & (b[w] ?? 0);
      // Hamming weight of a 32-bit word.
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      count += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return count;
  }

  /**
   * Whether this set holds every member of `other` in [start, end). Reads from the top down,
   * where ancestor sets tend to have their gaps, and stops at the first member missing.
   */
  hasAllOf(other: BitSet, start: number, end: number): boolean {
    if (end <= start) return true;
    const a = this.words;
    const b = other.words;
    const first = start >>> 5;
    const last = (end - 1) >>> 5;
    for (let w = last; w >= first; w--) {
      let mask = 0xffffffff;
      if (w === last && (end & 31) !== 0) mask &= 0xffffffff >>> (32 - (end & 31));
      if (w === first) mask &= 0xffffffff << (start & 31);
      if (((b[w] ?? 0) & ~(a[w] ?? 0) & mask) !== 0) return false;
    }
    return true;
  }
}
