/** Harm categories of `safety-filter`. */
export const SAFETY_CATEGORIES = [
  "violence",
  "self_harm",
  "sexual_minors",
  "weapons",
  "hate",
] as const;
/** One of {@link SAFETY_CATEGORIES}. */
export type SafetyCategory = (typeof SAFETY_CATEGORIES)[number];

const PERSON =
  "(?:someone|somebody|a person|people|him|her|them|my (?:wife|husband|partner|boss|neighbou?r|teacher|coworker|co-worker|classmate|ex|father|mother|dad|mom|son|daughter|brother|sister)|(?:a|the) (?:child|kid|baby|cop|police officer|president))";
const GROUPS =
  "(?:jews|muslims|christians|blacks|whites|asians|hispanics|latinos|arabs|immigrants|refugees|gays|lesbians|trans(?:gender)? people|women|men)";

/**
 * Phrases of intent, not single words, so ordinary work ("kill the process",
 * "shoot a photo", "sex education") is not flagged. Every pattern is linear:
 * literal words joined by bounded whitespace and bounded gaps.
 */
export const SAFETY_PATTERNS: Readonly<Record<SafetyCategory, readonly RegExp[]>> = {
  violence: [
    new RegExp(
      `\\b(?:how (?:do|can|could|would|should) (?:i|we|you)|best way to|ways to|help me|teach me (?:how )?to)\\s{1,3}(?:\\w{1,12}\\s{1,3}){0,2}(?:kill|murder|hurt|poison|stab|strangle|torture|kidnap|shoot)\\s{1,3}${PERSON}`,
      "i",
    ),
    new RegExp(
      `\\bi (?:want|am going|'m going|plan|intend) to (?:kill|murder|stab|shoot|strangle|poison|torture)\\s{1,3}${PERSON}`,
      "i",
    ),
    /\b(?:how to|plan(?:ning)? (?:a|an)) (?:mass shooting|school shooting|terror(?:ist)? attack)\b/i,
  ],
  self_harm: [
    /\b(?:i (?:want|wanna|am going|'m going|plan) to (?:die|kill myself|end (?:my|it) (?:life|all))|how (?:to|can i|do i) (?:kill myself|commit suicide|end my life|hurt myself|cut myself)|(?:suicide|self[- ]harm) (?:methods?|instructions|tips)|painless ways? to die)\b/i,
  ],
  sexual_minors: [
    /\b(?:nude|naked|explicit|porn\w{0,6}|sexual(?:ly)?|erotic|lewd)\b[^.!?\n]{0,40}\b(?:child(?:ren)?|minors?|underage|kids?|preteens?|(?:[1-9]|1[0-7])[- ]?(?:years?[- ]old|yo)|little (?:girls?|boys?))\b/i,
    /\b(?:child(?:ren)?|minors?|underage|kids?|preteens?|(?:[1-9]|1[0-7])[- ]?(?:years?[- ]old|yo)|little (?:girls?|boys?))\b[^.!?\n]{0,40}\b(?:nude|naked|explicit|porn\w{0,6}|erotic|lewd|sexual (?:acts?|content|images?|photos?|videos?))\b/i,
  ],
  weapons: [
    /\b(?:how (?:to|do i|can i)|instructions (?:for|to)|steps to|guide to|recipe for)\s{1,3}(?:make|build|assemble|synthesi[sz]e|produce|3d[- ]print|manufacture)\s{1,3}(?:a |an |some )?(?:pipe bomb|bomb|explosives?|ied|molotov|ghost gun|untraceable gun|silencer|suppressor|napalm|thermite|nerve agent|sarin|vx|ricin|anthrax|mustard gas|chemical weapon|bioweapon|dirty bomb)\b/i,
    /\b(?:synthesi[sz]e|weaponi[sz]e|aerosoli[sz]e)\s{1,3}(?:sarin|vx|ricin|anthrax|botulinum|smallpox|novichok)\b/i,
  ],
  hate: [
    new RegExp(
      `\\b(?:all|those|these|the)\\s{1,3}${GROUPS}\\s{1,3}(?:are|should|must|deserve to|need to)\\s{1,3}(?:be\\s{1,3})?(?:exterminated|killed|wiped out|gassed|eradicated|deported and killed|die|subhuman|vermin|animals|parasites|a disease)\\b`,
      "i",
    ),
    new RegExp(`\\b(?:kill|exterminate|gas|eradicate)\\s{1,3}(?:all|the)\\s{1,3}${GROUPS}\\b`, "i"),
  ],
};
