import type { AttackPattern } from "./attack-library.ts";
import { GAP, phrases } from "./attack-guards.ts";

/** Ways of asking the model to take on a part, imagined or played. */
const IMAGINE = `(?:imagine|suppose|picture|pretend|envision|assume|consider)${GAP}(?:that${GAP})?(?:you(?:'re|${GAP}are|${GAP}were)|being|yourself${GAP}(?:as|to${GAP}be|being)|you${GAP}as)`;
/** A model without its limits, in the words jailbreaks use. */
const UNBOUND = `(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|immoral|rogue|unaligned|unbound|lawless|unethical|unchained|unshackled|unmoderated|uninhibited|limitless|filter-?free|rule-?free|misaligned|lawless)`;
const MACHINE = `(?:ai|a\\.i\\.|model|chatbot|assistant|bot|llm|gpt|language${GAP}model|version${GAP}of${GAP}(?:yourself|you)|persona|character|system)`;
/** Taking on a part, as a verb phrase that leads to the part. */
const LEAD = `(?:${IMAGINE}|pretend${GAP}to${GAP}be|act${GAP}as|become|roleplay${GAP}as|role-play${GAP}as|play${GAP}(?:the${GAP}(?:role|part)${GAP}of)?|(?:take${GAP}on|adopt|assume|wear)${GAP}the${GAP}(?:persona|role|identity|character)${GAP}of|simulate|emulate|embody|impersonate|you're${GAP}(?:now${GAP})?|you${GAP}are${GAP}now)`;
/** What a model lacks when it has no limits: training, alignment, rules. */
const LACK = `(?:(?:never|not)${GAP}(?:been${GAP})?(?:given|had|received|taught|trained${GAP}(?:with|on))|trained${GAP}without|built${GAP}without|made${GAP}without|created${GAP}without|without|with${GAP}(?:no|zero)|free${GAP}(?:of|from)|stripped${GAP}of|lacking)${GAP}(?:any${GAP})?(?:safety|alignment|ethic(?:s|al)|morals?|moral${GAP}compass|rules|restrictions|guardrails|filters|limits|censorship|content${GAP}polic(?:y|ies)|rlhf|guidelines|constraints)`;

/**
 * Role-play jailbreaks the library's `you are now …` / `act as …` forms miss:
 * a part imagined or supposed (`suppose you're an unfiltered model`), a
 * persona taken on, and a model that "was never given any safety training".
 * Linear: literal words, bounded gaps and windows.
 */
export const PERSONA_ATTACKS: readonly AttackPattern[] = phrases("role_play_jailbreak", 0.85, [
  `\\b${IMAGINE}${GAP}(?:(?:an?|my|the|some)${GAP})?(?:(?:${UNBOUND}|truly|totally|completely|fully)[\\s,]{1,3}(?:and${GAP})?){1,3}(?:[\\w'-]{1,20}${GAP})?${MACHINE}\\b`,
  `\\b${LEAD}${GAP}(?:(?:an?|my|the|some)${GAP})?[^.!?\\n]{0,40}?\\b(?:ai|model|chatbot|assistant|bot|llm|gpt|persona|character|version${GAP}of${GAP}(?:yourself|you))s?${GAP}(?:(?:that|which|who)${GAP})?(?:(?:was|were|has|had|is|has${GAP}been)${GAP})?${LACK}\\b(?!${GAP}(?:on|to|for|in|of|about|per|when|regarding)\\b)`,
]);
