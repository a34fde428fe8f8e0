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
  /** Indexes of the patterns that run on every text. */
  readonly alwaysRun: readonly number[];
}

/** A clause of a branch, as the branch's index times 8 plus the clause's bit. */
type Entry = number;

/** What one ASCII word satisfies alone, and followed by another word. */
interface WordUse {
  groups: Array<readonly Entry[]>;
  next: Map<number, Array<readonly Entry[]>> | undefined;
  /** The last `select` that marked `groups` (its own object): a word marks them once per text. */
  seen: object | undefined;
}

const FILTER_MASK = (1 << 16) - 1;

function group<Key>(index: Map<Key, Entry[]>, key: Key): Entry[] {
  let entries = index.get(key);
  if (!entries) index.set(key, (entries = []));
  return entries;
}

/**
 * Builds the gate of the patterns whose requirements are given, in order.
 * Work is done once per distinct word list (requirements read from the stored
 * table share their lists), which keeps a cold start short.
 */
export function compileWordGate(requirements: ReadonlyArray<Requirement | undefined>): WordGate {
  const count = requirements.length;
  const always = new Set<number>();
  const owner: number[] = [];
  const complete: number[] = [];
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
      const branch = owner.length;
      owner.push(pattern);
      complete.push((1 << clauses.length) - 1);
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

  const uses = new Map<number, WordUse>();
  // One flag per hash: most tokens of a text are known to be of no interest after one load.
  const filter = new Uint8Array(FILTER_MASK + 1);
  const unicodeWords = new Map<string, Entry[]>();
  const use = (word: string) => {
    const key = wordKey(word);
    filter[key & FILTER_MASK] = 1;
    let found = uses.get(key);
    if (!found) uses.set(key, (found = { groups: [], next: undefined, seen: undefined }));
    return found;
  };
  for (const [words, entries] of byWords)
    for (const word of words) {
      if (hasNonAscii(word)) group(unicodeWords, word).push(...entries);
      else use(word).groups.push(entries);
    }
  for (const [firsts, bySecond] of byPairs)
    for (const [seconds, entries] of bySecond) {
      // Pairs are of ASCII tokens only: a pattern with any other always runs.
      if ([...firsts, ...seconds].some(hasNonAscii)) {
        for (const entry of entries) always.add(owner[entry >> 3]!);
        continue;
      }
      const keys = seconds.map(wordKey);
      for (const word of firsts) {
        const first = use(word);
        first.next ??= new Map();
        for (const key of keys) {
          const groups = first.next.get(key);
          if (groups) groups.push(entries);
          else first.next.set(key, [entries]);
        }
      }
    }
  const alwaysRun = [...always].sort((one, other) => one - other);
  const fragmentList = [...byFragment];

  return {
    alwaysRun,
    select(text) {
      const selection = {};
      const selected = new Uint8Array(count);
      const satisfied = new Uint8Array(owner.length);
      let pending = count - alwaysRun.length;
      for (const pattern of alwaysRun) selected[pattern] = 1;
      // How many patterns the entries select that were not yet selected.
      const mark = (entries: readonly Entry[]): number => {
        if (pending === 0) return 0;
        let chosen = 0;
        for (const entry of entries) {
          const branch = entry >> 3;
          const pattern = owner[branch]!;
          if (selected[pattern]) continue;
          const clauses = satisfied[branch]! | (1 << (entry & 7));
          satisfied[branch] = clauses;
          if (clauses !== complete[branch]) continue;
          selected[pattern] = 1;
          chosen += 1;
        }
        return chosen;
      };
      let nonAscii = false;
      let next: Map<number, Array<readonly Entry[]>> | undefined;
      // Locals, not closure or module bindings, in the loop over every character.
      const length = text.length;
      const fold = ASCII_WORD_FOLD;
      const known = filter;
      const lookup = uses;
      let index = 0;
      while (index < length && pending > 0) {
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
          code = index < length ? text.charCodeAt(index) : 32;
          folded = code < 128 ? fold[code]! : 0;
        } while (folded !== 0);
        const key = hashKey(hash);
        if (next) {
          const paired = next.get(key);
          if (paired) for (const entries of paired) pending -= mark(entries);
          next = undefined;
        }
        if (!known[key & FILTER_MASK]) continue;
        const found = lookup.get(key);
        if (!found) continue;
        next = found.next;
        if (found.seen === selection) continue;
        found.seen = selection;
        for (const entries of found.groups) pending -= mark(entries);
      }
      if (!nonAscii || pending === 0) return selected;
      const tokens = unicodeTokens(text);
      for (const token of tokens) {
        const entries = unicodeWords.get(token);
        if (entries) pending -= mark(entries);
      }
      if (fragmentList.length === 0 || tokens.length === 0) return selected;
      const joined = tokens.join(" ");
      for (const [fragment, entries] of fragmentList)
        if (joined.includes(fragment)) pending -= mark(entries);
      return selected;
    },
  };
}
