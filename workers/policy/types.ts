/**
 * Shapes shared by the policy engine, the gateway and the CLI. Plain data only:
 * nothing here knows about HTTP, bindings or storage.
 */

/** A text part of an OpenAI message (`content: [{type: "text", text}]`). */
export interface TextPart {
  type: "text";
  text: string;
}

/** Any other content part (images, audio, files) is carried through untouched. */
export interface OtherPart {
  type: string;
  [key: string]: unknown;
}

/** A tool call the assistant asked for; its arguments are inspected as text. */
export interface ToolCall {
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
  [key: string]: unknown;
}

/** One message of an OpenAI chat conversation, as far as policies need to see it. */
export interface ChatMessage {
  role: string;
  content?: string | Array<TextPart | OtherPart> | null;
  name?: string;
  tool_calls?: ToolCall[];
  tool_call_id?: string;
  [key: string]: unknown;
}

/** Who is calling. Anonymous until keys land; policies must not trust plain headers. */
export interface Identity {
  orgId?: string;
  teamId?: string;
  teams?: string[];
  userId?: string;
  role?: string;
  keyId?: string;
}

/** The phases a policy can run in. */
export type Phase = "input" | "output";

/** What a policy decided. Redactions compose; the first block stops the chain. */
export type VerdictAction = "allow" | "redact" | "block" | "escalate" | "log";

/** Why a policy fired, and where. Never carries the raw sensitive value. */
export interface Finding {
  /** Detector or pattern id, for example `email` or `builtin.instruction_override`. */
  type: string;
  /** Coarse family, for example `pii` or `prompt_injection`. */
  category: string;
  /** Index of the message in the conversation (input) or choice index (output). */
  messageIndex?: number;
  /** Where in the message the text was found: `content`, `content[2]`, `tool_calls[0].arguments`. */
  field?: string;
  /** Character span within that field, before any rewrite. */
  start?: number;
  end?: number;
  score?: number;
  count?: number;
  /** Set when the match was found only after decoding (`base64`, `unicode`, `homoglyphs`). */
  encoding?: string;
  /** The chain item that reported it, when findings of several policies are merged. */
  policy?: string;
}

/** One policy's outcome in a chain run. */
export interface PolicyDecision {
  policy: string;
  action: VerdictAction | "skipped";
  reason?: string;
  findings: Finding[];
  /** Set when the policy's settings ask for its findings' counts to be told to the caller. */
  disclose?: boolean;
}
