import { GOLDEN, KeyTable, PackedLists } from "./gate-tables.ts";
import { isAscii, TextUnits } from "./text-units.ts";
import { tokenStretches } from "./token-stretches.ts";
import type { Requirement } from "./word-requirement.ts";
import {
  HASH_PRIME,
  hasNonAscii,
  KEY_BITS,
  TOKEN_VALUE,
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
   * Marks made from token keys, for a scanner that reads a text's tokens for
   * its own ends too (`scanKeywords`): the marks are those `scan` makes.
   */
  marker(): TokenMarker;
  /**
   * A selection for `text` that holds `select(text)`, from the marks of a text
   * it was derived from and the windows where the two differ (`text-windows.ts`):
   * only the tokens of `text` around those windows are looked up. Selecting a
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

/** Marks made from the hash keys of a text's ASCII tokens, read by another scanner. */
export interface TokenMarker {
  /**
   * The text's ASCII tokens in order: the first `count` of `keys`, each the
   * `hashKey` of its `TOKEN_VALUE` polynomial; `nonAscii` when the text has a
   * character outside ASCII (its Unicode tokens are looked up at `finish`).
   */
  tokens(keys: Int32Array, count: number, nonAscii: boolean): void;
  /** The marks, once every ASCII token of `text` was given. */
  finish(text: string): GateMarks;
}

/** A clause of a branch, as the branch's index times 8 plus the clause's bit. */
type Entry = number;

class Marks implements GateMarks {
  selected: Uint8Array;
  /** Per branch, one bit per clause found. */
  satisfied: Uint8Array;
  /** Patterns not selected yet: nothing is left to look up at 0. */
  pending: number;
  /** Tells these marks' words from earlier ones': a word's entries are marked once per stamp. */
  stamp: number;
  /** The index of the previous token's word when pairs start with it, else -1. */
  first = -1;

  constructor(selected: Uint8Array, satisfied: Uint8Array, pending: number, stamp: number) {
    this.selected = selected;
    this.satisfied = satisfied;
    this.pending = pending;
    this.stamp = stamp;
  }
}

function group<Key, Value>(index: Map<Key, Value[]>, key: Key): Value[] {
  let values = index.get(key);
  if (!values) index.set(key, (values = []));
  return values;
}

const UNITS = new TextUnits();

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

  // ASCII words by hash key (words with one key share their entries), indexed in order of
  // appearance, and pairs by the index of the first word and the key of the second (colliding
  // keys share theirs). A group holds the clause lists its entries come from, packed once.
  const wordIndex = new Map<number, number>();
  const wordGroups: Array<Array<readonly Entry[]>> = [];
  const indexOf = (key: number) => {
    let index = wordIndex.get(key);
    if (index === undefined) {
      wordIndex.set(key, (index = wordGroups.length));
      wordGroups.push([]);
    }
    return index;
  };
  const unicodeWords = new Map<string, Array<readonly Entry[]>>();
  for (const [list, entries] of byWords)
    for (const word of list) {
      if (hasNonAscii(word)) group(unicodeWords, word).push(entries);
      else wordGroups[indexOf(wordKey(word))]!.push(entries);
    }
  const pairKey = (first: number, second: number) =>
    (Math.imul(first + 1, HASH_PRIME) ^ second) & KEY_BITS;
  const pairIndex = new Map<number, number>();
  const pairGroups: Array<Array<readonly Entry[]>> = [];
  const pairFirsts: number[] = [];
  // Keys that are the second word of some pair, by 12 bits of their hash: most tokens are none.
  const seconds = new Uint8Array(4096);
  // Keys of each word list once (lists are shared), in plain loops: this runs on a cold start.
  const keysOf = new Map<readonly string[], number[] | undefined>();
  const listKeys = (list: readonly string[]) => {
    if (keysOf.has(list)) return keysOf.get(list);
    const keys = list.some(hasNonAscii) ? undefined : list.map(wordKey);
    keysOf.set(list, keys);
    return keys;
  };
  for (const [firstWords, bySecond] of byPairs) {
    const firstKeys = listKeys(firstWords);
    const firsts = firstKeys?.map(indexOf);
    for (const [secondWords, entries] of bySecond) {
      const secondKeys = listKeys(secondWords);
      // Pairs are of ASCII tokens only: a pattern with any other always runs.
      if (!firsts || !secondKeys) {
        for (const entry of entries) always.add(ownerList[entry >> 3]!);
        continue;
      }
      for (let at = 0; at < secondKeys.length; at += 1)
        seconds[Math.imul(secondKeys[at]!, GOLDEN) >>> 20] = 1;
      for (let one = 0; one < firsts.length; one += 1) {
        const first = firsts[one]!;
        pairFirsts.push(first);
        for (let other = 0; other < secondKeys.length; other += 1) {
          const key = pairKey(first, secondKeys[other]!);
          let index = pairIndex.get(key);
          if (index === undefined) {
            pairIndex.set(key, (index = pairGroups.length));
            pairGroups.push([]);
          }
          pairGroups[index]!.push(entries);
        }
      }
    }
  }
  const words = new KeyTable([...wordIndex.keys()]);
  const wordLists = new PackedLists(wordGroups, ownerList.length * 8);
  const startsPairs = new Uint8Array(wordGroups.length);
  for (const first of pairFirsts) startsPairs[first] = 1;
  const pairs = new KeyTable([...pairIndex.keys()]);
  const pairLists = new PackedLists(pairGroups, ownerList.length * 8);

  const owner = Int32Array.from(ownerList);
  const complete = Uint8Array.from(completeList);
  const wordStamp = new Int32Array(wordGroups.length);
  const alwaysRun = [...always].sort((one, other) => one - other);
  // Unicode words, then fragments, by their index in one packed list.
  const unicodeIndex = new Map([...unicodeWords.keys()].map((word, index) => [word, index]));
  const fragments = [...byFragment.keys()];
  const unicodeLists = new PackedLists(
    [...unicodeWords.values(), ...[...byFragment.values()].map((entries) => [entries])],
    ownerList.length * 8,
  );
  let stamps = 0;

  const fresh = (): Marks => {
    const selected = new Uint8Array(count);
    for (const pattern of alwaysRun) selected[pattern] = 1;
    stamps += 1;
    return new Marks(selected, new Uint8Array(owner.length), count - alwaysRun.length, stamps);
  };

  /** Marks list `index` of `lists`: clauses found, patterns whose branch they complete. */
  const mark = (marks: Marks, lists: PackedLists, index: number) => {
    const { selected, satisfied } = marks;
    const entries = lists.entries;
    for (let at = lists.starts[index]!, end = lists.ends[index]!; at < end; at += 1) {
      const entry = entries[at]!;
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

  // The tables' arrays, for look-ups written out in `markToken` (it runs for every token).
  const wordKeysTable = words.keys;
  const wordIndexes = words.indexes;
  const wordShift = words.shift;
  const wordMask = words.mask;
  const pairKeysTable = pairs.keys;
  const pairIndexes = pairs.indexes;
  const pairShift = pairs.shift;
  const pairMask = pairs.mask;

  /** Marks the next ASCII token, by its hash key: alone, and after the one before. */
  const markToken = (marks: Marks, key: number) => {
    if (marks.pending === 0) return;
    if (marks.first >= 0 && seconds[Math.imul(key, GOLDEN) >>> 20] === 1) {
      const wanted = pairKey(marks.first, key);
      let slot = Math.imul(wanted, GOLDEN) >>> pairShift;
      let found = pairKeysTable[slot]!;
      while (found !== wanted && found !== -1) {
        slot = (slot + 1) & pairMask;
        found = pairKeysTable[slot]!;
      }
      if (found !== -1) mark(marks, pairLists, pairIndexes[slot]!);
    }
    marks.first = -1;
    let slot = Math.imul(key, GOLDEN) >>> wordShift;
    let found = wordKeysTable[slot]!;
    while (found !== key && found !== -1) {
      slot = (slot + 1) & wordMask;
      found = wordKeysTable[slot]!;
    }
    if (found === -1) return;
    const word = wordIndexes[slot]!;
    if (startsPairs[word]) marks.first = word;
    if (wordStamp[word] === marks.stamp) return;
    wordStamp[word] = marks.stamp;
    mark(marks, wordLists, word);
  };

  /**
   * Marks the ASCII tokens of the code units from `from` to `to` (both at
   * token bounds), and the pairs of consecutive ones. True when a unit
   * outside ASCII was passed.
   */
  const markTokens = (marks: Marks, units: Uint16Array, from: number, to: number): boolean => {
    marks.first = -1;
    // Locals, not closure or module bindings, in the loop over every character.
    const values = TOKEN_VALUE;
    const prime = HASH_PRIME;
    let nonAscii = false;
    let hash = 0;
    let inToken = false;
    for (let index = from; index < to; index += 1) {
      const code = units[index]!;
      const value = code < 128 ? values[code]! : 0;
      if (value !== 0) {
        hash = (Math.imul(hash, prime) + value) | 0;
        inToken = true;
        continue;
      }
      if (code >= 128) nonAscii = true;
      if (!inToken) continue;
      markToken(marks, hash & KEY_BITS);
      if (marks.pending === 0) return nonAscii;
      hash = 0;
      inToken = false;
    }
    if (inToken) markToken(marks, hash & KEY_BITS);
    return nonAscii;
  };

  /** Marks the Unicode tokens of `text`: whole words and fragments. */
  const markUnicode = (marks: Marks, text: string) => {
    if (marks.pending === 0) return;
    const tokens = unicodeTokens(text);
    for (const token of tokens) {
      const list = unicodeIndex.get(token);
      if (list !== undefined) mark(marks, unicodeLists, list);
    }
    if (fragments.length === 0 || tokens.length === 0) return;
    const joined = tokens.join(" ");
    fragments.forEach((fragment, index) => {
      if (joined.includes(fragment)) mark(marks, unicodeLists, unicodeIndex.size + index);
    });
  };

  const scan = (text: string): Marks => {
    const marks = fresh();
    if (markTokens(marks, UNITS.read(text), 0, text.length)) markUnicode(marks, text);
    return marks;
  };

  return {
    alwaysRun,
    select: (text) => scan(text).selected,
    scan,
    marker() {
      const marks = fresh();
      let nonAscii = false;
      return {
        tokens(keys, count, outside) {
          for (let at = 0; at < count && marks.pending > 0; at += 1) markToken(marks, keys[at]!);
          nonAscii = outside;
        },
        finish(text) {
          if (nonAscii) markUnicode(marks, text);
          return marks;
        },
      };
    },
    selectAround(base, text, windows) {
      const from = base as Marks;
      stamps += 1;
      const marks = new Marks(from.selected.slice(), from.satisfied.slice(), from.pending, stamps);
      const units = UNITS.read(text);
      let nonAscii = false;
      for (const [start, end] of tokenStretches(units, text.length, windows))
        nonAscii = markTokens(marks, units, start, end) || nonAscii;
      // Unicode tokens are looked up in the whole text (a fragment may span two): rare.
      if (nonAscii || !isAscii(text)) markUnicode(marks, text);
      return marks.selected;
    },
  };
}
