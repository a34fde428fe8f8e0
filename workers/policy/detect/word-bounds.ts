import type { AST } from "@eslint-community/regexpp";
import { isAsciiWordUnit, isTokenUnit } from "./word-tokens.ts";

/**
 * Where a pattern's literal words end: whether the character beside a position
 * of a match can never be a token character (see `word-tokens.ts`), which is
 * what makes a literal run of word characters a whole token. Used by
 * `word-requirement.ts`; every answer errs towards "not bounded".
 */

/** Which tokens a run belongs to: ASCII (`\b`'s words) or Unicode ones. */
export type Kind = "ascii" | "unicode";

/** Whether the character on the far side of a position is never a token character (or there is none). */
export type Bound = (kind: Kind) => boolean;

/** Nothing known about the far side of a position. */
export const UNBOUNDED: Bound = () => false;

/** A bound computed at most once per kind. */
export function memo(bound: Bound): Bound {
  const known = new Map<Kind, boolean>();
  return (kind) => {
    let value = known.get(kind);
    if (value === undefined) {
      value = bound(kind);
      known.set(kind, value);
    }
    return value;
  };
}

/** Whether text matched by a character of this code can never be a character of a `kind` token. */
function safeUnit(code: number, kind: Kind): boolean {
  if (kind === "ascii") return !isAsciiWordUnit(code);
  return (code < 0xd800 || code > 0xdfff) && !isTokenUnit(code);
}

function safeSet(node: AST.CharacterSet, kind: Kind): boolean {
  if (node.kind === "space") return !node.negate;
  if (node.kind === "word") return node.negate && kind === "ascii";
  return false;
}

function safeClass(node: AST.CharacterClass, kind: Kind): boolean {
  if (node.negate || node.unicodeSets) return false;
  return node.elements.every((element) => {
    if (element.type === "Character") return safeUnit(element.value, kind);
    if (element.type === "CharacterSet") return safeSet(element, kind);
    if (element.type !== "CharacterClassRange") return false;
    const { min, max } = element;
    if (max.value - min.value > 512) return false;
    for (let code = min.value; code <= max.value; code += 1)
      if (!safeUnit(code, kind)) return false;
    return true;
  });
}

/**
 * Whether, at the position where `node`'s match ends (`forward`: starts), the
 * character just before it (`forward`: after it) is never a token character;
 * `outside` answers the same for the other end of the node. The position is
 * always the edge of a run of token characters, which is what makes `\b`
 * evidence there.
 */
export function bounded(node: AST.Node, kind: Kind, forward: boolean, outside: Bound): boolean {
  switch (node.type) {
    case "Character":
      return safeUnit(node.value, kind);
    case "CharacterSet":
      return safeSet(node, kind);
    case "CharacterClass":
      return safeClass(node, kind);
    case "Assertion":
      if (node.kind === "word") return (!node.negate && kind === "ascii") || outside(kind);
      if (node.kind === (forward ? "end" : "start")) return true;
      return outside(kind);
    case "Group":
    case "CapturingGroup":
      return node.alternatives.every((alternative) =>
        boundedSequence(
          alternative.elements,
          forward ? 0 : alternative.elements.length - 1,
          kind,
          forward,
          outside,
        ),
      );
    case "Quantifier": {
      if (node.max === 0) return outside(kind);
      const element = node.element;
      const iteration: Bound = (inner) =>
        (node.min >= 2 || outside(inner)) &&
        (node.max <= 1 || bounded(element, inner, forward, UNBOUNDED));
      return (node.min > 0 || outside(kind)) && bounded(element, kind, forward, iteration);
    }
    default:
      return false;
  }
}

/** `bounded` for the position beside `elements[index]`, walking on through what may match nothing. */
export function boundedSequence(
  elements: readonly AST.Element[],
  index: number,
  kind: Kind,
  forward: boolean,
  outside: Bound,
): boolean {
  const element = elements[index];
  if (!element) return outside(kind);
  const next = forward ? index + 1 : index - 1;
  return bounded(
    element,
    kind,
    forward,
    memo((inner) => boundedSequence(elements, next, inner, forward, outside)),
  );
}

/** An optional run of characters that are never in a token (`\s{0,3}`): it may or may not split two words. */
export function isBridge(node: AST.Element): boolean {
  if (node.type !== "Quantifier" || node.min !== 0 || node.max < 1) return false;
  const inner = node.element;
  if (
    inner.type !== "Character" &&
    inner.type !== "CharacterSet" &&
    inner.type !== "CharacterClass"
  )
    return false;
  return bounded(inner, "ascii", true, UNBOUNDED) && bounded(inner, "unicode", true, UNBOUNDED);
}
