import stored from "./attack-requirements.json" with { type: "json" };
import { BoundedCache } from "./bounded-cache.ts";
import { requirementOf, type Clause, type Requirement } from "./word-requirement.ts";

/**
 * The word gate's requirements of the built-in attack patterns, computed
 * ahead of time: analysing them all takes longer than a cold request should
 * (a few hundred milliseconds before the engine warms up), reading the stored
 * result a few milliseconds. The store is a cache keyed by each pattern's
 * source and flags, never a second source of truth: a pattern it does not
 * know (a user's, or a built-in one edited since) is analysed on first use.
 * `node scripts/attack-requirements.ts` regenerates it; a test fails while a
 * built-in pattern is missing from it or stored differently.
 */

/** The stored form: word lists once each, clauses as indexes into them. */
export interface StoredRequirements {
  /** Word lists; 0 is the empty list. */
  lists: string[][];
  /** Per pattern key: branches of clauses `[words, fragments, first, second, first, second…]`. */
  patterns: Record<string, number[][][]>;
}

/** A key that changes with the pattern's source or flags. */
export function patternKey(pattern: RegExp): string {
  const text = `${pattern.flags}/${pattern.source}`;
  let first = 0x811c9dc5;
  let second = 0x2545f491;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    first = Math.imul(first ^ code, 0x01000193);
    second = Math.imul(second ^ code, 0x5bd1e995);
    second ^= second >>> 15;
  }
  const hex = (value: number) => (value >>> 0).toString(16).padStart(8, "0");
  return `${hex(first)}${hex(second)}-${text.length.toString(36)}`;
}

/** The stored form of the given patterns' requirements (those that have one). */
export function storeRequirements(patterns: readonly RegExp[]): StoredRequirements {
  const lists: string[][] = [[]];
  const ids = new Map<string, number>([["", 0]]);
  const listId = (words: readonly string[]) => {
    const sorted = [...words].sort();
    const id = sorted.join("\u0000");
    let index = ids.get(id);
    if (index === undefined) {
      index = lists.length;
      lists.push(sorted);
      ids.set(id, index);
    }
    return index;
  };
  const stored: Record<string, number[][][]> = {};
  for (const pattern of patterns) {
    const requirement = requirementOf(pattern);
    if (!requirement) continue;
    stored[patternKey(pattern)] = requirement.branches.map((clauses) =>
      clauses.map((clause) => [
        listId(clause.words),
        listId(clause.fragments),
        ...clause.pairs.flatMap((pairs) => [listId(pairs.first), listId(pairs.second)]),
      ]),
    );
  }
  return { lists, patterns: stored };
}

function readClause(lists: readonly string[][], numbers: readonly number[]): Clause {
  const list = (index: number | undefined) => lists[index ?? 0] ?? [];
  const [words, fragments, ...pairs] = numbers;
  const pairSets = [];
  for (let index = 0; index + 1 < pairs.length; index += 2)
    pairSets.push({ first: list(pairs[index]), second: list(pairs[index + 1]) });
  return { words: list(words), fragments: list(fragments), pairs: pairSets };
}

const table: StoredRequirements = stored;
const known = new BoundedCache<Requirement | null>(256);

/** The stored requirement of `pattern`, if the store has one. */
export function storedRequirement(pattern: RegExp): Requirement | undefined {
  const branches = table.patterns[patternKey(pattern)];
  if (!branches) return undefined;
  return {
    branches: branches.map((clauses) => clauses.map((clause) => readClause(table.lists, clause))),
  };
}

/** The requirement of `pattern`: stored, or analysed once (undefined: the pattern always runs). */
export function requirementFor(pattern: RegExp): Requirement | undefined {
  const requirement = known.get(
    patternKey(pattern),
    () => storedRequirement(pattern) ?? requirementOf(pattern) ?? null,
  );
  return requirement ?? undefined;
}
