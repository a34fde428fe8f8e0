import type { AST } from "@eslint-community/regexpp";
import { foldUnit, isTokenUnit } from "./word-tokens.ts";

/**
 * The finite sets of strings small pieces of a pattern can match (`s?`,
 * `[sz]`, `(?:y|ies)`), so that `polic(?:y|ies)` reads as the words `policy`
 * and `policies`. Only token characters, folded as `word-tokens.ts` folds.
 */

/** The most strings one piece may expand to. */
export const MAX_STRINGS = 64;
const MAX_CLASS = 8;

/** Every string of `left` followed by every string of `right`, unless there would be too many. */
export function product(left: readonly string[], right: readonly string[]): string[] | undefined {
  if (left.length * right.length > MAX_STRINGS) return undefined;
  const strings: string[] = [];
  for (const head of left) for (const tail of right) strings.push(head + tail);
  return strings;
}

const expansions = new WeakMap<AST.Node, string[] | null>();

/** The strings (folded) a small finite piece of word characters can match, or undefined. */
export function expand(node: AST.Node): string[] | undefined {
  if (node.type === "Character")
    return isTokenUnit(node.value) ? [String.fromCharCode(foldUnit(node.value))] : undefined;
  let strings = expansions.get(node);
  if (strings === undefined) {
    strings = expandUncached(node) ?? null;
    expansions.set(node, strings);
  }
  return strings ?? undefined;
}

function expandUncached(node: AST.Node): string[] | undefined {
  switch (node.type) {
    case "CharacterClass": {
      if (node.negate || node.unicodeSets) return undefined;
      const units = new Set<string>();
      for (const element of node.elements) {
        const [min, max] =
          element.type === "Character"
            ? [element.value, element.value]
            : element.type === "CharacterClassRange"
              ? [element.min.value, element.max.value]
              : [1, 0];
        if (min > max || max - min > MAX_CLASS) return undefined;
        for (let code = min; code <= max; code += 1) {
          if (!isTokenUnit(code)) return undefined;
          units.add(String.fromCharCode(foldUnit(code)));
        }
      }
      return units.size > 0 && units.size <= MAX_CLASS ? [...units] : undefined;
    }
    case "Quantifier": {
      if (node.max > 3) return undefined;
      const inner = expand(node.element);
      if (!inner) return undefined;
      const strings = new Set<string>();
      let repeated: string[] = [""];
      for (let count = 0; count <= node.max; count += 1) {
        if (count >= node.min) for (const string of repeated) strings.add(string);
        if (count === node.max) break;
        const longer = product(repeated, inner);
        if (!longer) return undefined;
        repeated = longer;
      }
      return strings.size <= MAX_STRINGS ? [...strings] : undefined;
    }
    case "Group":
    case "CapturingGroup": {
      if (node.type === "Group" && node.modifiers) return undefined;
      const strings = new Set<string>();
      for (const alternative of node.alternatives) {
        let sequence: string[] | undefined = [""];
        for (const element of alternative.elements) {
          const piece = expand(element);
          sequence = piece && product(sequence, piece);
          if (!sequence) break;
        }
        if (!sequence) return undefined;
        for (const string of sequence) strings.add(string);
      }
      return strings.size <= MAX_STRINGS ? [...strings] : undefined;
    }
    default:
      return undefined;
  }
}
