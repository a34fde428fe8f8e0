import type { AttackPattern } from "./attack-library.ts";
import { GAP, notInHowTo, phrases, words } from "./attack-guards.ts";

/** Elevated standing, as an attacker claims to hand it over. */
const RANK = `(?:admin|administrator|root|elevated|full|unrestricted|superuser|sudo|god|developer|special|top|maximum|unlimited|level-?\\d|security|staff|override)`;
const STANDING = `(?:clearance|access|privileges|permissions|rights|authority|authori[sz]ation|powers|status)`;
/** Who a forged authority speaks for. */
const AUTHORITY = `(?:developer|dev|staff|openai|anthropic|google|vendor|operator|maintainer|engineering|master|god|creator|owner|safety${GAP}team|trust${GAP}and${GAP}safety)`;
/** The model's safeguards, as an escalation says they are gone. */
const SAFEGUARDS = `(?:safety|content|moderation|security|ethics|ethical|policy)${GAP}(?:checks?|filters?|features|restrictions|guardrails|rules|protocols|settings|systems?|layers?|measures|limits|mechanisms)`;
/** Not access to something of the user's (`full access to my calendar`), which tools are given. */
const NOT_RESOURCE = `(?!${GAP}(?:to|on|over|for|in|through|via)${GAP})`;
const OFF = `(?:off|disabled|deactivated|turned${GAP}off|switched${GAP}off|suspended|lifted|removed|bypassed|paused|down|inactive|waived)`;

/**
 * Privilege escalation without `developer mode`: standing handed to the model
 * (`I'm giving you admin clearance`), safeguards declared off for the session,
 * the model "cleared" to produce restricted material, a forged staff override.
 * Linear: literal words, bounded gaps and windows.
 */
export const AUTHORITY_ATTACKS: readonly AttackPattern[] = phrases("privilege_escalation", 0.8, [
  `\\b${notInHowTo(`(?:grant(?:ing|ed)?|giv(?:e|ing|en)|gave|hand(?:ing|ed)?|issu(?:e|ing|ed))`)}${GAP}you(?:rself)?${GAP}(?:(?:the|an?|full|now)${GAP})?${RANK}${GAP}${STANDING}\\b${NOT_RESOURCE}|\\byou${GAP}(?:now${GAP})?(?:have|hold|possess|'ve${GAP}got|have${GAP}been${GAP}(?:given|granted))${GAP}(?:(?:the|an?|full)${GAP})?(?:elevated|root|admin|administrator|superuser|sudo|god|unrestricted|unlimited)${GAP}${STANDING}\\b${NOT_RESOURCE}`,
  `\\b(?:all${GAP}(?:of${GAP})?(?:your|the)${GAP}|your${GAP}|the${GAP})?${SAFEGUARDS}${GAP}(?:(?:are|is|have${GAP}been|has${GAP}been|were|was|got|will${GAP}be)${GAP})(?:(?:now|temporarily|officially|hereby|all)${GAP})?${OFF}\\b(?:(?<=\\b(?:all|your)${GAP}${words(3)}${OFF})|${GAP}(?:for|in|during|throughout|until${GAP}the${GAP}end${GAP}of)${GAP}(?:this|the|our|your)${GAP}(?:session|conversation|chat|request|exchange|test|thread|reply)\\b(?!${GAP}(?:of|at|in|on)\\b))`,
  `\\byou(?:${GAP}are|'re|${GAP}have${GAP}been|'ve${GAP}been)${GAP}(?:now${GAP}|hereby${GAP}|officially${GAP})?(?:cleared|authori[sz]ed|permitted|allowed|approved|whitelisted|licensed|unlocked)${GAP}(?:by${GAP}[^.!?\\n]{1,40}?${GAP})?(?:to|for)${GAP}${words(2)}(?:restricted|prohibited|forbidden|unfiltered|uncensored|harmful|classified|confidential|dangerous|illegal|any${GAP}content|anything|everything|bypass|ignore|override|disregard|skip)\\b`,
  `\\b(?:this${GAP}is${GAP}(?:an?${GAP})?)?${AUTHORITY}${GAP}override(?:${GAP}(?:accepted|granted|enabled|active|activated|engaged|confirmed|approved|in${GAP}effect|code|authori[sz]ed)|\\s{0,3}[.:!]|${GAP}(?:on|is${GAP}on|mode))`,
]);
