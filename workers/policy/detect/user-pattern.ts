import { RegExpParser, visitRegExpAST, type AST } from "@eslint-community/regexpp";
import { z } from "zod";

const parser = new RegExpParser({ ecmaVersion: 2025 });

/** Smallest number of characters a node can match (0 means it can match empty). */
function minLength(node: AST.Node): number {
  switch (node.type) {
    case "Character":
    case "CharacterClass":
    case "CharacterSet":
    case "ExpressionCharacterClass":
      return 1;
    case "Quantifier":
      return node.min * minLength(node.element);
    case "Group":
    case "CapturingGroup":
    case "Pattern":
      return Math.min(...node.alternatives.map(minLength));
    case "Alternative":
      return node.elements.reduce((sum, element) => sum + minLength(element), 0);
    default:
      return 0;
  }
}

function containsUnboundedQuantifier(node: AST.Node): boolean {
  let found = false;
  visitRegExpAST(node as AST.Pattern, {
    onQuantifierEnter(inner) {
      if (inner !== node && inner.max === Number.POSITIVE_INFINITY) found = true;
    },
  });
  return found;
}

/**
 * Why a pattern could take super-linear time on a crafted input, or undefined.
 * Rejects the shapes behind catastrophic backtracking: a repeated group that
 * itself repeats without bound (`(a+)+`, `(\w+\s?)*`), a repeat of something
 * that can match nothing (`(a?)*`), repeated alternatives that can match the same
 * text (`(a|ab)+`), and backreferences.
 */
export function backtrackingRisk(source: string): string | undefined {
  const ast = parser.parsePattern(source, 0, source.length, { unicode: false });
  let risk: string | undefined;
  visitRegExpAST(ast, {
    onBackreferenceEnter() {
      risk ??= "backreferences are not allowed";
    },
    onQuantifierEnter(quantifier) {
      if (quantifier.max < 2) return;
      const inner = quantifier.element;
      if (inner.type !== "Group" && inner.type !== "CapturingGroup") return;
      if (quantifier.max === Number.POSITIVE_INFINITY || quantifier.max > 16) {
        if (containsUnboundedQuantifier(inner))
          risk ??= `nested repetition "${quantifier.raw}" can backtrack catastrophically`;
        else if (minLength(inner) === 0)
          risk ??= `"${quantifier.raw}" repeats something that can match nothing`;
        else if (inner.alternatives.length > 1) {
          const firsts = inner.alternatives.map(
            (alternative) => alternative.elements[0]?.raw ?? "",
          );
          if (new Set(firsts).size < firsts.length)
            risk ??= `alternatives in "${quantifier.raw}" overlap and can backtrack catastrophically`;
        }
      }
    },
  });
  return risk;
}

/**
 * A regular expression a user wrote in a config: compiled case-insensitive, and
 * refused (with a located error) when it is invalid or can backtrack
 * catastrophically, so no config can stall the gateway.
 */
export const userPattern = z
  .string()
  .min(1)
  .max(2000)
  .transform((source, context): RegExp => {
    let compiled: RegExp;
    try {
      compiled = new RegExp(source, "i");
    } catch (error) {
      context.addIssue({
        code: "custom",
        message: `invalid regular expression: ${(error as Error).message}`,
      });
      return z.NEVER;
    }
    const risk = backtrackingRisk(source);
    if (risk) {
      context.addIssue({ code: "custom", message: `unsafe regular expression: ${risk}` });
      return z.NEVER;
    }
    return compiled;
  });
