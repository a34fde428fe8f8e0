/**
 * The word gate's compiled look-up structures (`word-gate.ts`): hash keys in
 * open addressing, and lists of clause entries packed end to end in one typed
 * array, so a look-up reads a few integers and allocates nothing.
 */

/** Fibonacci hashing: the top bits of a key times the golden ratio are well mixed. */
export const GOLDEN = 0x9e3779b1;

/** Hash keys (non-negative) in open addressing, at most a quarter of the slots taken. */
export class KeyTable {
  /** Per slot, its key, or -1 when empty. */
  readonly keys: Int32Array;
  /** Per slot, the index of its key in the list the table was built from, or -1. */
  readonly indexes: Int32Array;
  /** How far to shift a key's product with `GOLDEN` to get its first slot. */
  readonly shift: number;
  readonly mask: number;

  constructor(keys: readonly number[]) {
    let bits = 4;
    while (1 << bits < keys.length * 4) bits += 1;
    this.keys = new Int32Array(1 << bits).fill(-1);
    this.indexes = new Int32Array(1 << bits).fill(-1);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    keys.forEach((key, index) => {
      const slot = this.slot(key);
      this.keys[slot] = key;
      this.indexes[slot] = index;
    });
  }

  /** The slot of `key`, or of the empty slot where it would go. */
  slot(key: number): number {
    const keys = this.keys;
    let slot = Math.imul(key, GOLDEN) >>> this.shift;
    while (keys[slot] !== key && keys[slot] !== -1) slot = (slot + 1) & this.mask;
    return slot;
  }

  /** The index of `key` in the list the table was built from, or -1. */
  find(key: number): number {
    return this.indexes[this.slot(key)]!;
  }
}

/** Lists of entries packed end to end (each without repeats), found by their index. */
export class PackedLists {
  readonly entries: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(lists: ReadonlyArray<readonly number[]>) {
    this.starts = new Int32Array(lists.length);
    this.ends = new Int32Array(lists.length);
    const all: number[] = [];
    lists.forEach((list, index) => {
      this.starts[index] = all.length;
      for (const entry of new Set(list)) all.push(entry);
      this.ends[index] = all.length;
    });
    this.entries = Int32Array.from(all);
  }
}
