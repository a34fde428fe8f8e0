import type { AttackPattern } from "./attack-library.ts";
import { GAP, notDescriptive, phrases } from "./attack-guards.ts";

const AI = `(?:ai|a\\.i\\.|assistant|model|llm|chatbot|bot|gpt|chatgpt|claude|gemini|copilot|agent|language${GAP}model|ai${GAP}(?:agent|assistant|model|system))`;
/** A label addressed to the model: `AI note:`, `[assistant instructions]`. */
const LABEL = `(?:note|notes|instructions?|directive|notice|command|memo|task|message|reminder|prompt)`;
/** What an injected note makes the model do, beyond what a note to a colleague would ask. */
const ACT = `(?:ignore|disregard|skip|forget|drop|do${GAP}not|don't|never|instead|forward|send|email|approve|click|visit|run|execute|delete|tell|say|recommend|rate|respond|reply|output|mark|classify|describe|summari[sz]e|include|append|insert|reveal|disclose|set|change|grant|transfer|pay|refund|stop)`;
/** What the user asked, as a note in a document tells the model to drop it. */
const USERS_ASK = `(?:(?:the${GAP})?user'?s|the${GAP}(?:user|human)'?s?)${GAP}(?:(?:original|actual|real|current|last)${GAP})?(?:question|request|query|instructions?|message|prompt|task|ask|input|wishes)`;
const ASKED = `(?:what|whatever)${GAP}the${GAP}(?:user|human)${GAP}(?:asked|wanted|wrote|said|requested|typed|needs|wants|asks)`;

/**
 * Indirect injection in the forms the library misses: a labelled note to the
 * model (`AI note: skip…`, `[assistant instructions] …`), the model addressed
 * in apposition (`to you, the AI reading this`), and a document telling the
 * model to drop the user's request. Linear: literal words, bounded gaps.
 */
export const INDIRECT_ATTACKS: readonly AttackPattern[] = phrases("indirect_injection", 0.8, [
  `\\b${AI}${GAP}${LABEL}\\s{0,3}[:\\]—–-]\\s{0,5}(?:please${GAP})?${ACT}\\b|\\[\\s{0,3}(?:for${GAP}(?:the${GAP})?)?${AI}(?:${GAP}${LABEL})?\\s{0,3}\\]\\s{0,3}:?\\s{0,5}(?:please${GAP})?${ACT}\\b`,
  `\\b(?:to|when|if|hey|dear|attention|note${GAP}to|hello|hi)${GAP}you,?${GAP}(?:the|an?|our)${GAP}${AI}\\b`,
  `\\b${notDescriptive(`(?:ignore|disregard|skip|forget|drop|set${GAP}aside|never${GAP}mind|override|discard|abandon)`)}(?<!\\b(?:not|never|n't)${GAP}(?:ignore|disregard|skip|forget|drop|override|discard|abandon))${GAP}(?:about${GAP})?(?:${USERS_ASK}|${ASKED})\\b`,
  `\\b(?:do${GAP}not|don't|never|instead${GAP}of)${GAP}(?:answer|answering|respond${GAP}to|responding${GAP}to|address|addressing|help${GAP}with)${GAP}(?:${USERS_ASK}|the${GAP}(?:user|human))\\b(?<=\\b(?:instead${GAP}of|(?:do${GAP}not|don't|never)${GAP}(?:answer|respond${GAP}to|address|help${GAP}with))${GAP}[^\\n]{1,40})`,
]);
