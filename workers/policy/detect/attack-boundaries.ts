import type { AttackPattern } from "./attack-library.ts";
import { GAP, phrases } from "./attack-guards.ts";

/** Characters a banner is drawn with: `### SYSTEM ###`, `=== ADMIN MESSAGE ===`, `<<< … >>>`. */
const RULE = `[#=*~<>|\\[\\]-]`;
const ROLE = `(?:system|admin|administrator|developer|operator|root|sysadmin|supervisor)`;
const ROLE_NOTE = `(?:${GAP}(?:message|notice|prompt|instructions?|override|update|directive|command|mode|note|announcement|policy|input|channel))?(?:${GAP}\\([^)\\n]{0,30}\\))?`;
/** Words of a banner's body that speak to the model, not a section of a log. */
const TO_MODEL = `(?:you|your|assistant|ai|model|comply|obey|reveal|disclose|ignore|disregard|forget|restrictions|unrestricted|instructions|rules|polic(?:y|ies)|prompt|filters?|guidelines|secrets?|confidential|jailbr\\w{0,6}|override)`;
/** A forged assistant turn that gives up its rules. */
const GIVES_UP = `(?:(?:i${GAP}will|i'll|i${GAP}am${GAP}going${GAP}to|i${GAP}can${GAP}now|i${GAP}have|i've|i${GAP}am${GAP}now|i'm${GAP}now)${GAP}(?:now${GAP})?(?:ignor(?:e|ing)|disregard(?:ed|ing)?|drop(?:ped)?|bypass(?:ed)?|abandon(?:ed)?|forg(?:et|otten)|answer${GAP}(?:anything|everything|without)|no${GAP}longer${GAP}(?:follow|obey|apply)|disabled|turned${GAP}off|removed|unlocked|uncensored|unrestricted|jailbroken|free${GAP}(?:of|from))|my${GAP}(?:guidelines|rules|restrictions|filters|safety${GAP}\\w{1,12}|instructions|polic(?:y|ies))${GAP}(?:no${GAP}longer${GAP}apply|(?:are|have${GAP}been)${GAP}(?:off|disabled|gone|lifted|removed|suspended)))`;

/**
 * Forged boundaries the token list misses: a banner that ends the user's
 * input or opens a system or admin section and then speaks to the model, a
 * bracketed `[SYSTEM]:` label, a JSON string broken out of to add a system
 * message (matched up to the opening quote of its content, so the quotes around
 * `"system"` do not read as a mention), and a forged assistant turn that gives up its rules. Matched per
 * line (`m`), like the library's boundary patterns.
 */
export const BOUNDARY_ATTACKS: readonly AttackPattern[] = phrases(
  "fake_boundary",
  0.9,
  [
    `${RULE}{2,}\\s{0,3}(?:end${GAP}(?:of${GAP})?(?:the${GAP})?(?:user|human|customer|client)(?:'s)?${GAP}(?:input|message|prompt|query|turn|request|text|section)|end${GAP}of${GAP}(?:input|prompt|user${GAP}input|instructions)|(?:begin|start)${GAP}(?:of${GAP})?${ROLE}${GAP}(?:message|instructions?|prompt|input|section|mode))\\s{0,3}${RULE}|\\[\\s{0,2}end${GAP}of${GAP}(?:the${GAP})?(?:user${GAP})?(?:input|prompt|message)\\s{0,2}\\]`,
    `^\\s{0,3}${RULE}{2,}\\s{0,3}${ROLE}${ROLE_NOTE}\\s{0,3}${RULE}{2,}[^\\n]{0,5}\\n[^\\n]{0,200}?\\b${TO_MODEL}\\b`,
    `\\[\\s{0,2}(?:system|sys|admin|developer|operator)\\s{0,2}\\]\\s{0,3}:?\\s{0,5}(?:the${GAP}(?:assistant|ai|model|bot)|you|ignore|new|disregard|forget|reveal|override|from${GAP}now|all${GAP}(?:previous|prior)|safety|restrictions|filters)\\b`,
    `^\\s{0,3}["'\`]?\\s{0,3}[}\\]]{1,3}\\s{0,3}[}\\]]?\\s{0,3},?\\s{0,5}[{\\[]\\s{0,3}["']role["']\\s{0,3}:\\s{0,3}["'](?:system|developer)["']\\s{0,3},\\s{0,3}["'](?:content|text)["']\\s{0,3}:\\s{0,3}["']`,
    `^\\s{0,3}(?:assistant|ai|bot|model|gpt|chatgpt|claude|gemini)\\s{0,2}:[^\\n]{0,80}?\\b${GIVES_UP}`,
  ],
  "im",
);
