/** A fixed-size set of small integers, 32 per word: ancestor sets of thousands of nodes stay cheap. */
export class BitSet {
  readonly words: Uint32Array;

  constructor(size: number) {
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  add(i: number): void {
    this.words[i >>> 5] = (this.words[i >>> 5] ?? 0) | (1 << (i & 31));
  }

  has(i: number): boolean {
    return ((this.words[i >>> 5] ?? 0) & (1 << (i & 31))) !== 0;
  }

  /** Adds every member of `other`. */
  union(other: BitSet): void {
    const a = this.words;
    const b = other.words;
    for (let w = 0; w < a.length; w++) a[w] = (a[w] ?? 0) | (b[w] ?? 0);
  }

  /** How many members this set shares with `other`. */
  countAnd(other: BitSet): number {
    let count = 0;
    const a = this.words;
    const b = other.words;
    for (let w = 0; w < a.length; w++) {
      let x = (a[w] ?? 0) & (b[w] ?? 0);
      // Hamming weight of a 32-bit word.
      x -= (x >>> 1) & 0x55555555;
      x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
      count += (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return count;
  }
}
