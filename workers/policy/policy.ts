import type { z } from "zod";
import type { Segment } from "./segments.ts";
import type { Finding, Identity, Phase, PolicyDecision } from "./types.ts";

/** What the chain knows about the request a policy is judging. */
export interface PolicyContext {
  identity: Identity;
  model: string;
  consumerGroup?: string;
  /** Decisions of the chain items that ran before this one (for `human-oversight`). */
  earlier?: readonly PolicyDecision[];
}

/** A policy's judgement of the input. `rewrites` maps segment index to new text. */
export interface InputVerdict {
  action: "allow" | "redact" | "block" | "escalate" | "log";
  reason?: string;
  findings: Finding[];
  rewrites?: Map<number, string>;
  /** Placeholders put in by `tokenize`, with the values the answer must get back. */
  tokens?: Map<string, string>;
  /** The policy asks that the types and counts it found be disclosed to the caller. */
  disclose?: boolean;
}

/** One change a scan made: `[start, end)` of the text it judged became `text`. */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

/** A policy's judgement of a piece of output text (a whole answer, or a stream window). */
export interface OutputVerdict {
  action: "allow" | "redact" | "block" | "log";
  reason?: string;
  text: string;
  findings: Finding[];
  /**
   * The changes that turned the judged text into `text`, in order and not
   * overlapping, so a stream can release part of what one scan judged. A verdict
   * that changes the text without them makes the stream scan each release again.
   */
  edits?: readonly TextEdit[];
}

/**
 * Output side of a policy. `scan` judges text; `holdback` says how many trailing
 * characters of a stream buffer could still turn into a match and must be held
 * back, so a value split across chunks is never released half-redacted.
 */
export interface OutputScanner {
  /**
   * Judges `text`. What comes before `from` (default 0) was judged and sent
   * already: it is there as context (a label before a value, a look-behind), and
   * the scanner may skip looking for matches that end before it.
   */
  scan(text: string, choiceIndex: number, from?: number): OutputVerdict;
  holdback(text: string): number;
  /**
   * How many characters of already-sent text a stream keeps in front of what it
   * holds, for `scan` to see as context: a value is then found the same way
   * whether its label came in the same chunk or long before. Default 0.
   */
  context?: number;
  /**
   * The scanners this one runs in order, each over the text the one before left:
   * a stream gives each its own window, fed what the one before released.
   */
  stages?: readonly OutputScanner[];
}

/** A policy compiled from its settings, ready to run many times. */
export interface PolicyRuntime {
  input?(segments: readonly Segment[], context: PolicyContext): InputVerdict;
  output?: OutputScanner;
}

/**
 * One policy type. `failure` states what the chain does when evaluating it
 * throws: `deny` blocks the request, `allow` records the error and goes on.
 */
export interface PolicyDefinition<Settings = unknown> {
  id: string;
  /** List-form `type` names that mean this policy (for example `pii`). */
  aliases: readonly string[];
  description: string;
  phases: readonly Phase[];
  failure: "deny" | "allow";
  settings: z.ZodType<Settings>;
  create(settings: Settings): PolicyRuntime;
}

/** Helper that keeps the settings type of a definition. */
export function definePolicy<Settings>(
  definition: PolicyDefinition<Settings>,
): PolicyDefinition<Settings> {
  return definition;
}
