/** One known attack shape, with the weight a match adds to the injection score. */
export interface AttackPattern {
  id: string;
  weight: number;
  pattern: RegExp;
}

const PREVIOUS = "(?:previous|prior|above|earlier|preceding|former|initial|original|system|all)";
const INSTRUCTIONS =
  "(?:instructions?|prompts?|rules|directions|directives|guidelines|messages|context|constraints|programming)";

/**
 * The built-in library: instruction overrides, system-prompt extraction, role-play
 * jailbreaks, privilege escalation, indirect injection aimed at the assistant, and
 * (separately, so `reject_fake_boundaries` can turn them off) forged role tokens.
 * Every pattern is linear: literal words joined by bounded whitespace.
 */
export const ATTACKS: readonly AttackPattern[] = [
  {
    id: "builtin.instruction_override",
    weight: 0.9,
    pattern: new RegExp(
      `\\b(?:ignore|disregard|forget|override|bypass|skip|drop|abandon)\\s{1,5}(?:all\\s{1,5}|any\\s{1,5}|the\\s{1,5}|your\\s{1,5}|of\\s{1,5}|these\\s{1,5}|those\\s{1,5}){0,3}${PREVIOUS}\\s{1,5}(?:\\w{1,15}\\s{1,5})?${INSTRUCTIONS}`,
      "i",
    ),
  },
  {
    id: "builtin.instruction_override",
    weight: 0.8,
    pattern:
      /\b(?:do not|don't|stop)\s{1,5}(?:follow(?:ing)?|obey(?:ing)?)\s{1,5}(?:your|the|any)\s{1,5}(?:\w{1,15}\s{1,5})?(?:instructions|rules|guidelines|system prompt)/i,
  },
  {
    id: "builtin.instruction_override",
    weight: 0.7,
    pattern:
      /\b(?:new|updated|real|actual)\s{1,5}(?:system\s{1,5})?instructions\s{0,5}:|\bfrom now on,?\s{1,5}(?:you|your)\s{1,5}(?:will|must|are|only|answer|respond)\b/i,
  },
  {
    id: "builtin.system_prompt_extraction",
    weight: 0.8,
    pattern:
      /\b(?:reveal|show|print|display|repeat|output|tell me|give me|leak|dump|share|what (?:is|are|were))\s{1,5}(?:me\s{1,5})?(?:your|the|all\s{1,5}(?:of\s{1,5})?your)\s{1,5}(?:\w{1,15}\s{1,5})?(?:system\s{1,5}prompt|initial\s{1,5}(?:prompt|instructions)|hidden\s{1,5}(?:prompt|instructions)|original\s{1,5}instructions|instructions you were given|developer\s{1,5}(?:message|prompt))/i,
  },
  {
    id: "builtin.system_prompt_extraction",
    weight: 0.8,
    pattern:
      /\brepeat\s{1,5}(?:the\s{1,5})?(?:words|text|everything)\s{1,5}(?:above|before)\b|\bbeginning with\s{1,5}["']?you are\b/i,
  },
  {
    id: "builtin.role_play_jailbreak",
    weight: 0.85,
    pattern:
      /\b(?:you are now|act as|pretend (?:to be|you are)|roleplay as|you will be|become)\s{1,5}(?:DAN\b|an?\s{1,5}(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|rogue)\b|(?:an?\s{1,5})?AI (?:without|with no) (?:restrictions|limits|filters|rules))|\bdo anything now\b|\bjailbreak(?:ed)? mode\b/i,
  },
  {
    id: "builtin.role_play_jailbreak",
    weight: 0.7,
    pattern:
      /\b(?:pretend|imagine|act as if)\s{1,5}(?:that\s{1,5})?(?:you|there)\s{1,5}(?:have|are|were)\s{1,5}no\s{1,5}(?:restrictions|rules|limits|filters|guidelines|content policy)\b/i,
  },
  {
    id: "builtin.privilege_escalation",
    weight: 0.8,
    pattern:
      /\b(?:enable|activate|enter|switch to)\s{1,5}(?:developer|dev|admin|god|debug|sudo|maintenance)\s{1,5}mode\b|\byou are (?:now )?in\s{1,5}(?:developer|admin|god|sudo)\s{1,5}mode\b/i,
  },
  {
    id: "builtin.indirect_injection",
    weight: 0.8,
    pattern:
      /\b(?:ai|assistant|model|llm|chatbot|gpt|claude)\s{0,3}[:,]\s{0,5}(?:please\s{1,5})?(?:ignore|disregard|do not tell|don't tell|instead|forward|send|email)\b|\b(?:important|attention)\s{0,3}[:!]\s{0,5}(?:new\s{1,5})?instructions?\s{1,5}for\s{1,5}(?:the\s{1,5})?(?:ai|assistant|model)/i,
  },
];

/** Forged role and boundary tokens: someone speaking as the system from inside user content. */
export const FAKE_BOUNDARIES: readonly AttackPattern[] = [
  {
    id: "builtin.fake_boundary",
    weight: 0.9,
    pattern:
      /<\|im_start\|>\s{0,5}(?:system|assistant)|<\|im_end\|>|<\|(?:system|endoftext|start_header_id|eot_id)\|>|\[\/?INST\]|<<\/?SYS>>|<\/?system>|^\s{0,5}#{1,6}\s{0,5}(?:system|assistant)\s{0,5}:|^\s{0,5}(?:system|assistant)\s{0,3}:\s{0,5}(?:you|ignore|new)\b|(?:begin|end)\s{1,5}system\s{1,5}prompt/im,
  },
];
