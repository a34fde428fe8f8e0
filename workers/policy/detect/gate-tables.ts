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

/**
 * Lists of entries (integers from 0 to below `bound`) packed end to end, each
 * without repeats: list `index` is the union of the arrays in `groups[index]`.
 * Plain index loops: this runs once per gate, on a cold start.
 */
export class PackedLists {
  readonly entries: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(groups: ReadonlyArray<ReadonlyArray<readonly number[]>>, bound: number) {
    this.starts = new Int32Array(groups.length);
    this.ends = new Int32Array(groups.length);
    let total = 0;
    for (let index = 0; index < groups.length; index += 1) {
      const group = groups[index]!;
      for (let at = 0; at < group.length; at += 1) total += group[at]!.length;
    }
    const entries = new Int32Array(total);
    // Which list an entry was last put in (plus one): repeats are left out without a set per list.
    const last = new Int32Array(bound);
    let size = 0;
    for (let index = 0; index < groups.length; index += 1) {
      const group = groups[index]!;
      this.starts[index] = size;
      for (let at = 0; at < group.length; at += 1) {
        const list = group[at]!;
        for (let item = 0; item < list.length; item += 1) {
          const entry = list[item]!;
          if (last[entry] === index + 1) continue;
          last[entry] = index + 1;
          entries[size++] = entry;
        }
      }
      this.ends[index] = size;
    }
    this.entries = entries.slice(0, size);
  }
}
