import { RegExpParser, type AST } from "@eslint-community/regexpp";
import {
  bounded,
  boundedSequence,
  isBridge,
  memo,
  UNBOUNDED,
  type Bound,
  type Kind,
} from "./word-bounds.ts";
import { edgeTokens, minLength, separatorOnly } from "./word-edges.ts";
import { expand, product } from "./word-expand.ts";
import { hasNonAscii } from "./word-tokens.ts";

/**
 * What a regular expression needs in a text before it can match, derived from
 * the pattern itself (the prefilter idea of RE2 and codesearch, on words).
 * Every step errs towards "unknown", which only costs a regex run.
 *
 * Soundness in short: a literal run of word characters that the pattern
 * bounds on both sides — by `\b`, `^`/`$`, or characters that are never in a
 * token (whitespace, punctuation; see `word-bounds.ts`) — matches a whole
 * token, whatever the case; without such bounds a run with a non-ASCII
 * character still lies inside one Unicode token (`word-tokens.ts`). Every
 * clause of every mandatory part of a sequence holds; a choice holds one of
 * its alternatives, so clause by clause it holds the union of theirs.
 * Lookarounds consume nothing and only ever narrow a match: stepped over.
 */
export interface Clause {
  /** Whole tokens, folded (`foldText`): the text holds at least one of them, the pairs or the fragments. */
  words: readonly string[];
  /** Two consecutive ASCII tokens: any of `first` followed by any of `second`. */
  pairs: readonly PairSet[];
  /** Pieces of non-ASCII tokens, folded (`foldText`). */
  fragments: readonly string[];
}

/** Pairs of consecutive ASCII tokens, as the product of two sets of words. */
export interface PairSet {
  first: readonly string[];
  second: readonly string[];
}

/** Branches of which at least one holds, with all its clauses, in any text the pattern matches. */
export interface Requirement {
  branches: ReadonlyArray<readonly Clause[]>;
}

interface Need {
  words: ReadonlySet<string>;
  pairs: ReadonlyMap<string, PairSet>;
  fragments: ReadonlySet<string>;
  cost: number;
}

/** Clauses that all hold (a conjunction). */
type Branch = Need[];

const parser = new RegExpParser({ ecmaVersion: 2025 });
/** The most clauses kept per branch (the gate keeps one bit per clause). */
const MAX_CLAUSES = 4;
/** The cost under which a branch's best clause stands for the whole branch in a choice. */
const ABSORB_COST = 0.5;
/** The most branches a choice keeps before it collapses them. */
const MAX_BRANCHES = 32;
/** The most branches crossing the choices of one sequence may make. */
const MAX_CROSS = 8;

/** Words too frequent in ordinary prose to be a useful requirement when a rarer one exists. */
const COMMON = new Set(
  (
    "a about all also am an and any are as at be been but by can could did do does for from " +
    "get give had has have he her here his how i if in into is it its just let me more my new " +
    "no not now of on one or our out please s she so some t than that the their them then there " +
    "these they this those to up us was we were what when which who will with would you your"
  ).split(" "),
);

function wordCost(word: string): number {
  if (COMMON.has(word)) return 25;
  return word.length <= 2 ? 8 : 1;
}

function fragmentCost(fragment: string): number {
  return fragment.length <= 1 ? 12 : 3;
}

function pairCost(pairs: PairSet): number {
  const sum = (words: readonly string[]) =>
    words.reduce((total, word) => total + wordCost(word), 0);
  return Math.max(
    0.05 * pairs.first.length * pairs.second.length,
    (sum(pairs.first) * sum(pairs.second)) / 60,
  );
}

const NO_PAIRS: ReadonlyMap<string, PairSet> = new Map();

function pairSet(first: Iterable<string>, second: Iterable<string>): Map<string, PairSet> {
  const pairs = { first: [...first].sort(), second: [...second].sort() };
  return new Map([[`${pairs.first.join(",")}/${pairs.second.join(",")}`, pairs]]);
}

const NONE: ReadonlySet<string> = new Set();

function need(
  words: ReadonlySet<string>,
  fragments: ReadonlySet<string> = NONE,
  pairs: ReadonlyMap<string, PairSet> = NO_PAIRS,
): Need {
  let cost = 0;
  for (const word of words) cost += wordCost(word);
  for (const pair of pairs.values()) cost += pairCost(pair);
  for (const fragment of fragments) cost += fragmentCost(fragment);
  return { words, pairs, fragments, cost };
}

function size(clause: Need): number {
  return clause.words.size + clause.pairs.size + clause.fragments.size;
}

function key(clause: Need): string {
  return [clause.words, clause.pairs.keys(), clause.fragments]
    .map((atoms) => [...atoms].sort().join(","))
    .join("|");
}

/** The cheapest clauses, at most `MAX_CLAUSES`, without repeats. */
function strongest(clauses: readonly Need[]): Need[] {
  const seen = new Set<string>();
  return [...clauses]
    .sort((left, right) => left.cost - right.cost)
    .filter((clause) => {
      const id = key(clause);
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    })
    .slice(0, MAX_CLAUSES);
}

/** A token character string's cheapest atom: a word when bounded, else a non-ASCII fragment. */
function atomOf(part: string, left: boolean, right: boolean) {
  if (part === "") return undefined;
  if (left && right) return { word: part, cost: wordCost(part) };
  return hasNonAscii(part) ? { fragment: part, cost: fragmentCost(part) } : undefined;
}

/**
 * What a run of expandable pieces needs: for each string the run can match,
 * one of its parts (split at optional separators, " " in the strings) as a
 * word or fragment; and, when `stretches`, fragments of never-empty stretches.
 */
function runClauses(
  pieces: readonly string[][],
  left: Bound,
  right: Bound,
  stretches: boolean,
): Need[] {
  const found: Need[] = [];
  let whole: string[] | undefined = [""];
  for (const piece of pieces) whole = whole && product(whole, piece);
  if (whole) {
    const words = new Set<string>();
    const fragments = new Set<string>();
    const complete = whole.every((string) => {
      const parts = string.split(" ");
      let best: ReturnType<typeof atomOf>;
      parts.forEach((part, index) => {
        const kind: Kind = hasNonAscii(part) ? "unicode" : "ascii";
        const atom = atomOf(part, index > 0 || left(kind), index < parts.length - 1 || right(kind));
        if (atom && (!best || atom.cost < best.cost)) best = atom;
      });
      if (best?.word !== undefined) words.add(best.word);
      if (best?.fragment !== undefined) fragments.add(best.fragment);
      return best !== undefined;
    });
    if (complete) found.push(need(words, fragments));
  }
  if (!stretches) return found;
  // Without bounds, a stretch of pieces that are never empty still lies inside one token.
  let stretch: string[] | undefined;
  const flush = () => {
    if (stretch?.every(hasNonAscii)) found.push(need(NONE, new Set(stretch)));
    stretch = undefined;
  };
  for (const piece of pieces) {
    if (piece.includes("")) {
      flush();
      continue;
    }
    const longer = stretch ? product(stretch, piece) : piece;
    if (!longer) flush();
    stretch = longer ?? piece;
  }
  flush();
  return found;
}

/** Runs joined by optional separators (`system\s{0,3}note`), read as one run whose strings may split. */
function bridgedClauses(
  elements: readonly AST.Element[],
  before: (index: number) => Bound,
  after: (index: number) => Bound,
): Need[] {
  const found: Need[] = [];
  let index = 0;
  while (index < elements.length) {
    const pieces: string[][] = [];
    let bridges = 0;
    let end = index;
    for (let next = elements[end]; next; next = elements[end]) {
      const piece = expand(next);
      const following = elements[end + 1];
      if (piece) pieces.push(piece);
      else if (pieces.length > 0 && following && expand(following) && isBridge(next)) {
        pieces.push(["", " "]);
        bridges += 1;
      } else break;
      end += 1;
    }
    if (bridges > 0) found.push(...runClauses(pieces, before(index), after(end - 1), false));
    index = Math.max(end, index + 1);
  }
  return found;
}

/**
 * Consecutive tokens: the last token before characters that are never in a
 * token (`you\s{1,5}are`, `you're`) and the first one after them.
 */
function pairClauses(elements: readonly AST.Element[], left: Bound, right: Bound): Need[] {
  const found: Need[] = [];
  let index = 1;
  while (index < elements.length - 1) {
    let end = index;
    let length = 0;
    while (end < elements.length - 1 && separatorOnly(elements[end]!)) {
      length += minLength(elements[end]!);
      end += 1;
    }
    if (end > index && length > 0) {
      const last = edgeTokens(elements, index - 1, false, left, () => undefined);
      const first = last && edgeTokens(elements, end, true, right, () => undefined);
      if (last && first) found.push(need(NONE, NONE, pairSet(last, first)));
    }
    index = end + 1;
  }
  return found;
}

/** One branch as one conjunction: clause by clause, the union of the branches' i-th strongest (or strongest) clauses. */
function collapse(branches: readonly Branch[]): Branch {
  const count = Math.max(...branches.map((branch) => branch.length));
  const merged: Need[] = [];
  for (let index = 0; index < count; index += 1) {
    const words = new Set<string>();
    const pairs = new Map<string, PairSet>();
    const fragments = new Set<string>();
    for (const branch of branches) {
      const clause = branch[index] ?? branch[0]!;
      for (const word of clause.words) words.add(word);
      for (const [id, pair] of clause.pairs) pairs.set(id, pair);
      for (const fragment of clause.fragments) fragments.add(fragment);
    }
    merged.push(need(words, fragments, pairs));
  }
  return strongest(merged);
}

/**
 * Branches of one clause each merge without loss: (a) or (b) is (a or b).
 * A branch whose best clause is already rare joins them by that clause alone.
 */
function mergeSingles(branches: readonly Branch[]): Branch[] {
  const joins = (branch: Branch) => branch.length === 1 || branch[0]!.cost <= ABSORB_COST;
  const singles = branches.filter(joins).map((branch) => [branch[0]!]);
  if (singles.length < 2) return [...branches];
  return [...branches.filter((branch) => !joins(branch)), collapse(singles)];
}

/** A choice holds one of its alternatives: their branches side by side, the largest collapsed while too many. */
function choice(alternatives: readonly AST.Alternative[], left: Bound, right: Bound): Branch[] {
  const options: Branch[][] = [];
  for (const alternative of alternatives) {
    const branches = sequence(alternative.elements, left, right);
    if (branches.length === 0) return [];
    options.push(branches);
  }
  options.sort((one, other) => one.length - other.length);
  let total = options.reduce((sum, branches) => sum + branches.length, 0);
  for (let index = options.length - 1; index >= 0 && total > MAX_BRANCHES; index -= 1) {
    total -= options[index]!.length - 1;
    options[index] = [collapse(options[index]!)];
  }
  const all = mergeSingles(options.flat());
  return all.length <= MAX_BRANCHES ? all : [collapse(all)];
}

function element(node: AST.Element, left: Bound, right: Bound): Branch[] {
  if (node.type === "CapturingGroup" || (node.type === "Group" && !node.modifiers))
    return choice(node.alternatives, left, right);
  if (node.type !== "Quantifier" || node.min < 1) return [];
  // The first repetition: the outside before it, the outside or the next repetition after it.
  const inner = node.element;
  const after = memo(
    (kind) =>
      (node.min >= 2 || right(kind)) && (node.max <= 1 || bounded(inner, kind, true, UNBOUNDED)),
  );
  return element(inner, left, after);
}

/**
 * A sequence holds all its mandatory parts: their clauses pooled, added to
 * each branch of the part with the most branches (the others collapsed).
 */
function sequence(elements: readonly AST.Element[], left: Bound, right: Bound): Branch[] {
  const pooled: Need[] = [];
  const parts: Branch[][] = [];
  const before = (index: number) =>
    memo((kind) => boundedSequence(elements, index - 1, kind, false, left));
  const after = (index: number) =>
    memo((kind) => boundedSequence(elements, index + 1, kind, true, right));
  let index = 0;
  while (index < elements.length) {
    const pieces: string[][] = [];
    let end = index;
    for (let next = elements[end]; next; next = elements[end]) {
      const piece = expand(next);
      if (!piece) break;
      pieces.push(piece);
      end += 1;
    }
    if (pieces.length > 0) {
      pooled.push(...runClauses(pieces, before(index), after(end - 1), true));
      index = end;
      continue;
    }
    const branches = element(elements[index]!, before(index), after(index));
    if (branches.length === 1) pooled.push(...branches[0]!);
    else if (branches.length > 1) parts.push(branches);
    index += 1;
  }
  pooled.push(...bridgedClauses(elements, before, after), ...pairClauses(elements, left, right));
  // Parts with several branches: crossed while few, else all but the largest collapsed.
  parts.sort((one, other) => one.length - other.length);
  let spine: Branch[] = [[]];
  for (const part of parts) {
    if (spine.length * part.length <= MAX_CROSS)
      spine = spine.flatMap((branch) => part.map((other) => [...branch, ...other]));
    else if (part.length > spine.length) {
      pooled.push(...collapse(spine));
      spine = part;
    } else pooled.push(...collapse(part));
  }
  const branches = spine.map((branch) =>
    strongest([...branch, ...pooled].filter((clause) => size(clause) > 0)),
  );
  return branches.some((branch) => branch.length === 0) ? [] : branches;
}

/**
 * What `pattern` needs in a text to match, or undefined when nothing provable
 * (then the pattern must always run). Patterns with the `u` or `v` flag are
 * not analysed: their `\w` and case folding differ.
 */
export function requirementOf(pattern: RegExp): Requirement | undefined {
  if (/[uv]/.test(pattern.flags)) return undefined;
  const ast = parser.parsePattern(pattern.source, 0, pattern.source.length, { unicode: false });
  const branches = choice(ast.alternatives, UNBOUNDED, UNBOUNDED);
  if (branches.length === 0) return undefined;
  return {
    branches: branches.map((branch) =>
      branch.map((clause) => ({
        words: [...clause.words],
        pairs: [...clause.pairs.values()],
        fragments: [...clause.fragments],
      })),
    ),
  };
}
