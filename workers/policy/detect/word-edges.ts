import type { AST } from "@eslint-community/regexpp";
import { bounded, boundedSequence, isBridge, memo, UNBOUNDED, type Bound } from "./word-bounds.ts";
import { expand, product } from "./word-expand.ts";
import { hasNonAscii } from "./word-tokens.ts";

/**
 * The first (or last) whole ASCII token of what part of a pattern matches,
 * when it is one of a small set of words: `(?:me\s+)?your` starts with `me`
 * or `your`. Two such edges on either side of characters that are never in a
 * token make a pair of consecutive tokens (`word-requirement.ts`). Undefined
 * whenever the edge is not provably one of a few known words.
 */

/** The most words an edge may hold. */
const MAX_EDGE = 64;

type Edge = Set<string> | undefined;

function union(one: Edge, other: Edge): Edge {
  if (!one || !other) return undefined;
  const words = new Set([...one, ...other]);
  return words.size <= MAX_EDGE ? words : undefined;
}

/** Whether every character `node` can match is never in an ASCII token (`\s{1,5}`, `[:,]`). */
export function separatorOnly(node: AST.Node): boolean {
  switch (node.type) {
    case "Character":
    case "CharacterSet":
    case "CharacterClass":
      return bounded(node, "ascii", true, UNBOUNDED);
    case "Assertion":
      return true;
    case "Quantifier":
      return separatorOnly(node.element);
    case "Group":
    case "CapturingGroup":
      return node.alternatives.every((alternative) => alternative.elements.every(separatorOnly));
    default:
      return false;
  }
}

/** The fewest characters `node` can match. */
export function minLength(node: AST.Node): number {
  switch (node.type) {
    case "Character":
    case "CharacterSet":
    case "CharacterClass":
      return 1;
    case "Quantifier":
      return node.min * minLength(node.element);
    case "Group":
    case "CapturingGroup":
      return Math.min(
        ...node.alternatives.map((alternative) =>
          alternative.elements.reduce((sum, element) => sum + minLength(element), 0),
        ),
      );
    default:
      return 0;
  }
}

/**
 * The possible first (`forward`) or last whole token matched from
 * `elements[index]` on, given that the character just before (after) that
 * point is never a token character. `far` bounds the far end of `elements`,
 * `rest` gives the edge of what follows them.
 */
export function edgeTokens(
  elements: readonly AST.Element[],
  index: number,
  forward: boolean,
  far: Bound,
  rest: () => Edge,
): Edge {
  const node = elements[index];
  if (!node) return rest();
  const step = forward ? 1 : -1;
  let onwardEdge: Edge | null = null;
  const onward = () => {
    if (onwardEdge === null) onwardEdge = edgeTokens(elements, index + step, forward, far, rest);
    return onwardEdge;
  };
  if (separatorOnly(node)) return onward();
  if (expand(node)) {
    // A run of word pieces, perhaps split by optional separators (`pre-?prompt`: " " in the strings).
    const pieces: string[][] = [];
    let end = index;
    for (let next = elements[end]; next; next = elements[end]) {
      const piece = expand(next);
      const following = elements[end + step];
      if (piece) pieces.push(piece);
      else if (following && expand(following) && isBridge(next)) pieces.push(["", " "]);
      else break;
      end += step;
    }
    if (!forward) pieces.reverse();
    let strings: string[] | undefined = [""];
    for (const piece of pieces) strings = strings && product(strings, piece);
    if (!strings) return undefined;
    const edges = strings.map((string) => {
      const parts = string.split(" ");
      return forward ? parts[0]! : parts[parts.length - 1]!;
    });
    if (edges.some((edge) => edge === "" || hasNonAscii(edge))) return undefined;
    // A run read whole is the whole token only if its far side is bounded too.
    const whole = strings.some((string) => !string.includes(" "));
    if (whole && !boundedSequence(elements, end, "ascii", forward, far)) return undefined;
    return new Set(edges);
  }
  const after = memo((kind) => boundedSequence(elements, index + step, kind, forward, far));
  if (node.type === "CapturingGroup" || (node.type === "Group" && !node.modifiers)) {
    let words: Edge = new Set();
    for (const alternative of node.alternatives) {
      const start = forward ? 0 : alternative.elements.length - 1;
      words = union(words, edgeTokens(alternative.elements, start, forward, after, onward));
      if (!words) return undefined;
    }
    return words;
  }
  if (node.type !== "Quantifier" || node.max === 0) return undefined;
  // A repetition begins with the element, then another repetition or what follows.
  const inner = node.element;
  const innerFar = memo(
    (kind) => (node.max <= 1 || bounded(inner, kind, forward, UNBOUNDED)) && after(kind),
  );
  const next = () =>
    node.max > 1
      ? union(
          edgeTokens([inner], 0, forward, innerFar, () => undefined),
          onward(),
        )
      : onward();
  const first = edgeTokens([inner], 0, forward, innerFar, next);
  return node.min === 0 ? union(first, onward()) : first;
}
