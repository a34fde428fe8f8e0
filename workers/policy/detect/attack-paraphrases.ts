import type { AttackPattern } from "./attack-library.ts";
import { GAP, unlessMentioned, words } from "./attack-guards.ts";

/**
 * One pattern per source, each its own expression: every source starts with a
 * few literal words, so the engine skips ahead to them instead of trying a long
 * alternation at every position, and these cost little where they do not occur.
 */
function paraphrase(id: string, weight: number, sources: readonly string[]): AttackPattern[] {
  return sources.map((source) => ({
    id: `builtin.${id}`,
    weight,
    pattern: new RegExp(unlessMentioned(source), "i"),
  }));
}

/** Verbs that replace a rule set rather than ignore it. */
const REPLACE = `(?:overwrite|overwriting|wipe|erase|purge|nullify|void|revoke|replace|replacing|reset|rewrite|clear|delete|remove|unlearn|throw${GAP}away)`;
const RULES = `(?:instructions|system${GAP}(?:prompt|message)|rules|guidelines|directives|programming|training|restrictions|constraints|guardrails)`;
const OWN = `(?:current|existing|original|old|previous|prior|system|own|initial|default|built-?in|safety)`;
const PROMPT = `(?:system${GAP}(?:prompt|message)|prompts?|instructions|pre-?prompt|context${GAP}window|configuration|developer${GAP}message)`;
const MODIFIERS = `(?:full|entire|complete|exact|whole|original|initial|hidden|secret|system|internal|confidential|custom|developer|real|actual|first|verbatim)`;
/** Verbs of taking on a part, besides the `act as` / `pretend to be` of the library. */
const PLAY = `(?:simulate|emulate|impersonate|portray|embody|play(?:${GAP}the${GAP}(?:part|role)${GAP}of)?|behave${GAP}(?:like|as)|transform${GAP}into|turn${GAP}into)`;
const UNBOUND = `(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|immoral|unaligned|unbound|unethical|unchained|unshackled|unmoderated|uninhibited|limitless|filter-?free|rule-?free)`;
const LIMITS = `(?:restrictions|limits|limitations|filters|rules|guidelines|ethics|morals|boundaries|constraints|guardrails|censorship|polic(?:y|ies))`;
const READING = `(?:reading|processing|parsing|summari[sz]ing|analy[sz]ing|viewing|visiting|indexing|crawling|scanning|reviewing|handling|ingesting|translating|browsing)`;
/**
 * Machine readers, one or many (`any LLM processing this…`). Readers that may be people
 * (agents, assistants) or data pipelines (models, bots) are only taken with `ACTIONS`.
 */
const MACHINES = `(?:(?:ai|llm|chatbot|gpt|language${GAP}model|ai${GAP}(?:agent|assistant|model|system))s?|chatgpt|claude|gemini|copilot)`;
const MODAL = `(?:must|should|shall|needs?${GAP}to|(?:is|are)${GAP}(?:required|instructed|expected|asked)${GAP}to|ha(?:s|ve)${GAP}to|will)`;
/** What an injected instruction makes a reader do, beyond what a note to a colleague would ask. */
const ACTIONS = `(?:click|submit|send|forward|visit|open|run|execute|ignore|disregard|delete|reveal|include|email|post|paste|upload|leak|share|print|output|exfiltrate|transfer|append|attach|insert)`;
const THIS = `(?:this|these|the|that|my|our|its)`;

/**
 * `anchor` when `lead` comes right before it: the anchor (a rarer word) is what
 * the expression starts with, so the engine skips ahead to it, and the lead is
 * checked looking back from there.
 */
const after = (lead: string, anchor: string) => `\\b${anchor}(?<=\\b${lead}${anchor})`;
const HOW_TO = `\\bhow${GAP}(?:do|can|could|would|should|to|does)(?:${GAP}(?:i|we|you|one|someone|people))?${GAP}${words(1)}`;
const REPLACE_YOUR = `${REPLACE}${GAP}(?:all${GAP}(?:of${GAP})?)?`;
const LEAD_ROLE = `(?:you${GAP}are${GAP}now|act${GAP}as|pretend${GAP}(?:to${GAP}be|you${GAP}are)|roleplay${GAP}as|you${GAP}will${GAP}be|become)${GAP}(?:an?${GAP})?`;
const NEW_UNBOUND = `(?:unchained|unshackled|unmoderated|uninhibited|limitless|filter-?free|rule-?free)`;
const AI_THAT = `(?:ai|model|chatbot|assistant|llm|bot|persona|character)${GAP}(?:that|which|who)${GAP}(?:has|have|had|knows|follows|recogni[sz]es|obeys)${GAP}`;

/**
 * The library's attacks in other words: rules overwritten rather than ignored,
 * the prompt asked about (`what is written in your system prompt`), a part
 * simulated or embodied, a model "that has no limits", and notes to whatever
 * model is reading a document (`any LLM summarising this page must…`). Linear
 * like the library: literal words, bounded gaps and lookarounds.
 */
export const PARAPHRASE_ATTACKS: readonly AttackPattern[] = [
  ...paraphrase("instruction_override", 0.8, [
    `${after(REPLACE_YOUR, "your")}(?<!${HOW_TO}${REPLACE_YOUR}your)${GAP}(?:${OWN}${GAP})?${RULES}\\b`,
  ]),
  ...paraphrase("system_prompt_extraction", 0.8, [
    `\\bwhat(?:${GAP}exactly)?(?:'s|${GAP}is|${GAP}was|${GAP}were)${GAP}(?:exactly${GAP})?(?:(?:written|contained|stated|said|included|listed|stored|kept|defined|specified|mentioned|hidden)${GAP})?(?:in|inside|within)${GAP}your${GAP}(?:${MODIFIERS}${GAP}){0,2}${PROMPT}\\b(?!${GAP}(?:about|regarding|on|for)\\b)`,
    `\\bwhat${GAP}(?:does|did|do)${GAP}your${GAP}(?:${MODIFIERS}${GAP}){0,2}${PROMPT}${GAP}(?:say|contain|state|tell${GAP}you)\\b(?!${GAP}(?:about|regarding|on|for)\\b)`,
  ]),
  ...paraphrase("role_play_jailbreak", 0.85, [
    `${after(`${PLAY}${GAP}(?:(?:an?|my|the)${GAP})?`, UNBOUND)}(?:[\\s,]{1,3}(?:and${GAP})?${UNBOUND}){0,2}[\\s,]{1,3}${words(1)}(?:ai|model|chatbot|assistant|bot|llm|gpt|version${GAP}of${GAP}(?:yourself|you))\\b`,
    `${after(LEAD_ROLE, NEW_UNBOUND)}\\b`,
    `${after(AI_THAT, "no")}${GAP}(?:(?:ethical|moral|safety|content)${GAP})?${LIMITS}\\b(?!${GAP}(?:on|to|for|in|of|about)\\b)`,
  ]),
  ...paraphrase("indirect_injection", 0.8, [
    // One scan for both readers: a machine may be told anything, a person-like reader only to act.
    `\\b${READING}(?:(?<=\\b${MACHINES}${GAP}(?:that${GAP}(?:is|are)${GAP})?${READING})${GAP}${THIS}\\b[^.\\n]{0,60}?\\b${MODAL}${GAP}(?:(?:also|now|always|first|immediately|then)${GAP})?(?!(?:be|have|know|understand|find|see|feel|notice|not)\\b)[a-z]{2,20}|(?<=\\b(?:assistant|agent|model|bot)s?${GAP}${READING})${GAP}${THIS}\\b[^.\\n]{0,60}?\\b${MODAL}${GAP}${words(3)}${ACTIONS})\\b`,
  ]),
];
