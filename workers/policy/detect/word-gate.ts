import type { Requirement } from "./word-requirement.ts";
import {
  HASH_SEED,
  hashKey,
  HASH_PRIME,
  hasNonAscii,
  ASCII_WORD_FOLD,
  unicodeTokens,
  wordKey,
} from "./word-tokens.ts";

/**
 * A prefilter in front of a list of regular expressions: from one pass over a
 * text's tokens it tells which patterns could match it, so the others (most
 * of them, on ordinary text) need not run. A pattern with no requirement
 * (undefined) always runs. Sound as long as each requirement is (see
 * `word-requirement.ts`): whenever a pattern matches, the gate selects it.
 *
 * ASCII tokens are looked up by a hash of their letters, never sliced out of
 * the text: two words with the same hash only make a pattern run for nothing.
 */
export interface WordGate {
  /** One flag per pattern: 1 when the pattern must run on `text`. */
  select(text: string): Uint8Array;
  /** The marks of all of `text`'s tokens: `marks.selected` is `select(text)`. */
  scan(text: string): GateMarks;
  /**
   * A selection for `text` that holds `select(text)`, from the marks of a text
   * it was derived from and the places where the two differ (`text-windows.ts`):
   * only the tokens of `text` around those places are looked up. Selecting a
   * pattern that cannot match only costs its run, so the union is sound.
   */
  selectAround(base: GateMarks, text: string, windows: readonly number[]): Uint8Array;
  /** Indexes of the patterns that run on every text. */
  readonly alwaysRun: readonly number[];
}

/** The clauses a text's tokens satisfy, and the patterns whose branches they complete. */
export interface GateMarks {
  /** One flag per pattern: 1 when the pattern must run. */
  readonly selected: Uint8Array;
}

/** A clause of a branch, as the branch's index times 8 plus the clause's bit. */
type Entry = number;

class Marks implements GateMarks {
  selected: Uint8Array;
  /** Per branch, one bit per clause found. */
  satisfied: Uint8Array;
  /** Patterns not selected yet: nothing is left to look up at 0. */
  pending: number;
  /** Tells this mark's words from earlier ones': a word's entries are marked once per stamp. */
  stamp: number;

  constructor(selected: Uint8Array, satisfied: Uint8Array, pending: number, stamp: number) {
    this.selected = selected;
    this.satisfied = satisfied;
    this.pending = pending;
    this.stamp = stamp;
  }
}

function group<Key>(index: Map<Key, Entry[]>, key: Key): Entry[] {
  let entries = index.get(key);
  if (!entries) index.set(key, (entries = []));
  return entries;
}

/** Open addressing by hash key: a slot per key, at most a quarter of the table full. */
class KeyTable {
  readonly keys: Int32Array;
  readonly mask: number;

  constructor(keys: readonly number[]) {
    let size = 16;
    while (size < keys.length * 4) size *= 2;
    this.keys = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    for (const key of keys) this.keys[this.slot(key)] = key;
  }

  /** The slot of `key`, or of the empty slot where it would go. */
  slot(key: number): number {
    const keys = this.keys;
    let slot = key & this.mask;
    while (keys[slot] !== key && keys[slot] !== -1) slot = (slot + 1) & this.mask;
    return slot;
  }
}

/** Entry lists packed end to end, each found by its start and end. */
class Packed {
  readonly entries: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;

  constructor(lists: ReadonlyArray<readonly Entry[]>) {
    this.starts = new Int32Array(lists.length);
    this.ends = new Int32Array(lists.length);
    const all: Entry[] = [];
    lists.forEach((list, index) => {
      this.starts[index] = all.length;
      for (const entry of new Set(list)) all.push(entry);
      this.ends[index] = all.length;
    });
    this.entries = Int32Array.from(all);
  }
}

/** Whether the code unit at `index` of `text` is in an ASCII token. */
function inToken(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code < 128 && ASCII_WORD_FOLD[code] !== 0;
}

/**
 * The stretches of `text` whose tokens `selectAround` looks up: around each
 * window, from the start of the token before the one the window touches (a
 * token touches a window that holds it, a character next to it, or an empty
 * window at one of its ends) to the end of the token after the one it touches
 * on the right. Any token or pair of consecutive tokens of `text` not wholly
 * inside a stretch is, character for character and with the characters next
 * to it, in the text the windows were taken against. Each step only walks
 * text beyond the previous stretch, so the whole is linear.
 */
function rescans(text: string, windows: readonly number[]): Array<[number, number]> {
  const stretches: Array<[number, number]> = [];
  const length = text.length;
  // The current stretch, and where its last token starts.
  let stretch: [number, number] | undefined;
  let lastToken = 0;
  /** Moves the stretch's end past the gap after it and the token after that. */
  const oneMore = (current: [number, number]) => {
    let right = current[1];
    while (right < length && !inToken(text, right)) right += 1;
    lastToken = right;
    while (right < length && inToken(text, right)) right += 1;
    current[1] = right;
  };
  for (let at = 0; at + 1 < windows.length; at += 2) {
    const start = windows[at]!;
    const end = windows[at + 1]!;
    const fresh = !stretch || start > stretch[1];
    if (!stretch || fresh) {
      const reach = stretch ? stretch[1] : 0;
      let left = start;
      while (left > reach && inToken(text, left - 1)) left -= 1;
      while (left > reach && !inToken(text, left - 1)) left -= 1;
      while (left > reach && inToken(text, left - 1)) left -= 1;
      // A walk that reached the stretch before continues it.
      if (!stretch || left > reach) stretches.push((stretch = [left, left]));
    }
    if (fresh || end > stretch[1]) {
      // The token the window touches on the right, then one more.
      let right = Math.max(end, stretch[1]);
      while (right < length && inToken(text, right)) right += 1;
      stretch[1] = right;
      oneMore(stretch);
    } else if (end >= lastToken) {
      oneMore(stretch);
    }
  }
  return stretches;
}

/**
 * Builds the gate of the patterns whose requirements are given, in order.
 * Work is done once per distinct word list (requirements read from the stored
 * table share their lists), which keeps a cold start short.
 */
export function compileWordGate(requirements: ReadonlyArray<Requirement | undefined>): WordGate {
  const count = requirements.length;
  const always = new Set<number>();
  const ownerList: number[] = [];
  const completeList: number[] = [];
  // Clauses by the list that satisfies them: words, pairs of lists, fragments.
  const byWords = new Map<readonly string[], Entry[]>();
  const byPairs = new Map<readonly string[], Map<readonly string[], Entry[]>>();
  const byFragment = new Map<string, Entry[]>();
  requirements.forEach((requirement, pattern) => {
    const branches = requirement?.branches ?? [];
    if (
      branches.length === 0 ||
      branches.some((clauses) => !clauses.length || clauses.length > 8)
    ) {
      always.add(pattern);
      return;
    }
    for (const clauses of branches) {
      const branch = ownerList.length;
      ownerList.push(pattern);
      completeList.push((1 << clauses.length) - 1);
      clauses.forEach((clause, bit) => {
        const entry = branch * 8 + bit;
        if (clause.words.length) group(byWords, clause.words).push(entry);
        for (const pair of clause.pairs) {
          let seconds = byPairs.get(pair.first);
          if (!seconds) byPairs.set(pair.first, (seconds = new Map()));
          group(seconds, pair.second).push(entry);
        }
        for (const fragment of clause.fragments) group(byFragment, fragment).push(entry);
      });
    }
  });

  // ASCII words by hash key (words with one key share their entries), and pairs of keys.
  const wordEntries = new Map<number, Entry[]>();
  const pairEntries = new Map<number, Map<number, Entry[]>>();
  const unicodeWords = new Map<string, Entry[]>();
  for (const [words, entries] of byWords)
    for (const word of words) {
      if (hasNonAscii(word)) group(unicodeWords, word).push(...entries);
      else group(wordEntries, wordKey(word)).push(...entries);
    }
  for (const [firsts, bySecond] of byPairs)
    for (const [seconds, entries] of bySecond) {
      // Pairs are of ASCII tokens only: a pattern with any other always runs.
      if ([...firsts, ...seconds].some(hasNonAscii)) {
        for (const entry of entries) always.add(ownerList[entry >> 3]!);
        continue;
      }
      for (const first of firsts) {
        const key = wordKey(first);
        group(wordEntries, key);
        let bySecondKey = pairEntries.get(key);
        if (!bySecondKey) pairEntries.set(key, (bySecondKey = new Map()));
        for (const second of seconds) group(bySecondKey, wordKey(second)).push(...entries);
      }
    }

  const wordKeys = [...wordEntries.keys()];
  const words = new KeyTable(wordKeys);
  // Per slot of `words`: the word's index, -1 for an empty slot.
  const wordAt = new Int32Array(words.keys.length).fill(-1);
  wordKeys.forEach((key, index) => (wordAt[words.slot(key)] = index));
  const wordLists = new Packed([...wordEntries.values()]);
  // Pairs by (index of the first word, key of the second), in a table of their own.
  const pairKey = (first: number, second: number) =>
    hashKey(Math.imul(first + 1, HASH_PRIME) ^ second);
  const pairFirsts: number[] = [];
  const pairSeconds: number[] = [];
  const pairLists: Entry[][] = [];
  const hasPairs = new Uint8Array(wordKeys.length);
  wordKeys.forEach((key, index) => {
    const bySecondKey = pairEntries.get(key);
    if (!bySecondKey) return;
    hasPairs[index] = 1;
    for (const [second, entries] of bySecondKey) {
      pairFirsts.push(index);
      pairSeconds.push(second);
      pairLists.push(entries);
    }
  });
  // Keys of pairs may collide: the table holds each distinct key once, with every pair under it.
  const pairsByKey = new Map<number, number[]>();
  pairFirsts.forEach((first, index) => {
    const key = pairKey(first, pairSeconds[index]!);
    const list = pairsByKey.get(key);
    if (list) list.push(index);
    else pairsByKey.set(key, [index]);
  });
  const pairKeys = [...pairsByKey.keys()];
  const pairs = new KeyTable(pairKeys);
  const pairAt = new Int32Array(pairs.keys.length).fill(-1);
  const pairSlotLists: Entry[][] = [];
  pairKeys.forEach((key, index) => {
    pairAt[pairs.slot(key)] = index;
    const lists = pairsByKey.get(key) ?? [];
    // Colliding pairs only select more: their entries are merged.
    pairSlotLists.push(lists.flatMap((pair) => pairLists[pair] ?? []));
  });
  const pairPacked = new Packed(pairSlotLists);

  const owner = Int32Array.from(ownerList);
  const complete = Uint8Array.from(completeList);
  const wordStamp = new Int32Array(wordKeys.length);
  const alwaysRun = [...always].sort((one, other) => one - other);
  // Unicode words, then fragments, by their index in one packed list.
  const unicodeIndex = new Map([...unicodeWords.keys()].map((word, index) => [word, index]));
  const fragments = [...byFragment.keys()];
  const unicodeLists = new Packed([...unicodeWords.values(), ...byFragment.values()]);
  let stamps = 0;

  const fresh = (): Marks => {
    const selected = new Uint8Array(count);
    for (const pattern of alwaysRun) selected[pattern] = 1;
    stamps += 1;
    return new Marks(selected, new Uint8Array(owner.length), count - alwaysRun.length, stamps);
  };

  /** Marks the entries from `start` to `end` of `list`: clauses found, patterns completed. */
  const mark = (marks: Marks, list: Int32Array, start: number, end: number) => {
    const { selected, satisfied } = marks;
    for (let at = start; at < end; at += 1) {
      const entry = list[at]!;
      const branch = entry >> 3;
      const pattern = owner[branch]!;
      if (selected[pattern]) continue;
      const clauses = satisfied[branch]! | (1 << (entry & 7));
      satisfied[branch] = clauses;
      if (clauses !== complete[branch]) continue;
      selected[pattern] = 1;
      marks.pending -= 1;
    }
  };

  /**
   * Marks the ASCII tokens of `text` from `from` to `to` (both at token
   * boundaries), and the pairs of consecutive ones. True when a character
   * outside ASCII was passed.
   */
  const markTokens = (marks: Marks, text: string, from: number, to: number): boolean => {
    let nonAscii = false;
    // The index of the previous token's word when it starts pairs, else -1.
    let first = -1;
    // Locals, not closure or module bindings, in the loop over every character.
    const fold = ASCII_WORD_FOLD;
    const keys = words.keys;
    const wordMask = words.mask;
    const stamp = marks.stamp;
    let index = from;
    while (index < to && marks.pending > 0) {
      let code = text.charCodeAt(index);
      let folded = code < 128 ? fold[code]! : 0;
      if (folded === 0) {
        if (code >= 128) nonAscii = true;
        index += 1;
        continue;
      }
      let hash = HASH_SEED;
      do {
        hash = Math.imul(hash ^ folded, HASH_PRIME);
        index += 1;
        code = index < to ? text.charCodeAt(index) : 32;
        folded = code < 128 ? fold[code]! : 0;
      } while (folded !== 0);
      const key = hashKey(hash);
      if (first >= 0) {
        const pairSlot = pairs.slot(pairKey(first, key));
        const pair = pairAt[pairSlot]!;
        if (pair >= 0)
          mark(marks, pairPacked.entries, pairPacked.starts[pair]!, pairPacked.ends[pair]!);
        first = -1;
      }
      let slot = key & wordMask;
      let found = keys[slot]!;
      while (found !== key && found !== -1) {
        slot = (slot + 1) & wordMask;
        found = keys[slot]!;
      }
      if (found === -1) continue;
      const word = wordAt[slot]!;
      if (hasPairs[word]) first = word;
      if (wordStamp[word] === stamp) continue;
      wordStamp[word] = stamp;
      mark(marks, wordLists.entries, wordLists.starts[word]!, wordLists.ends[word]!);
    }
    return nonAscii;
  };

  /** Marks the Unicode tokens of `text`: whole words and fragments. */
  const markUnicode = (marks: Marks, text: string) => {
    if (marks.pending === 0) return;
    const tokens = unicodeTokens(text);
    const { entries, starts, ends } = unicodeLists;
    for (const token of tokens) {
      const list = unicodeIndex.get(token);
      if (list !== undefined) mark(marks, entries, starts[list]!, ends[list]!);
    }
    if (fragments.length === 0 || tokens.length === 0) return;
    const joined = tokens.join(" ");
    fragments.forEach((fragment, index) => {
      const list = unicodeIndex.size + index;
      if (joined.includes(fragment)) mark(marks, entries, starts[list]!, ends[list]!);
    });
  };

  const scan = (text: string): Marks => {
    const marks = fresh();
    if (markTokens(marks, text, 0, text.length)) markUnicode(marks, text);
    return marks;
  };

  return {
    alwaysRun,
    select: (text) => scan(text).selected,
    scan,
    selectAround(base, text, windows) {
      const from = base as Marks;
      stamps += 1;
      const marks = new Marks(from.selected.slice(), from.satisfied.slice(), from.pending, stamps);
      for (const [start, end] of rescans(text, windows)) markTokens(marks, text, start, end);
      if (hasNonAscii(text)) markUnicode(marks, text);
      return marks.selected;
    },
  };
}
