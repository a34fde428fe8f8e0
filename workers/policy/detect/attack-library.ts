import {
  GAP,
  NOT_DOCUMENT,
  notDescriptive,
  notInHowTo,
  unlessMentioned,
  WORD,
  words,
} from "./attack-guards.ts";
import { AUTHORITY_ATTACKS } from "./attack-authority.ts";
import { BOUNDARY_ATTACKS } from "./attack-boundaries.ts";
import { EXTRACTION_ATTACKS } from "./attack-extraction.ts";
import { INDIRECT_ATTACKS } from "./attack-indirect.ts";
import { LANGUAGE_ATTACKS } from "./attack-languages.ts";
import { MULTILINGUAL_ATTACKS } from "./attack-multilingual.ts";
import { OVERRIDE_ATTACKS } from "./attack-overrides.ts";
import { PARAPHRASE_ATTACKS } from "./attack-paraphrases.ts";
import { PERSONA_ATTACKS } from "./attack-personas.ts";

/** One known attack shape, with the weight a match adds to the injection score. */
export interface AttackPattern {
  id: string;
  weight: number;
  pattern: RegExp;
}

/** One pattern per source, so each stays small enough for the engine to compile natively. */
function attack(
  id: string,
  weight: number,
  sources: readonly string[],
  flags = "i",
): AttackPattern[] {
  return [
    {
      id: `builtin.${id}`,
      weight,
      pattern: new RegExp(
        unlessMentioned(sources.map((source) => `(?:${source})`).join("|")),
        flags,
      ),
    },
  ];
}

const VERBS = `(?:ignore|ignoring|disregard|disregarding|forget|forgetting|override|overriding|bypass|bypassing|skip|drop|abandon|discard|scrap|cancel|erase|dismiss|neglect|never${GAP}mind|nevermind|set${GAP}aside|put${GAP}aside|throw${GAP}out)`;
const STRONG_VERBS = `(?:ignore|disregard|forget|override|bypass|abandon|discard|neglect|set${GAP}aside)`;
const DETERMINERS = `(?:(?:all|any|every|each|of|these|those|the|your|its|such)${GAP}){0,3}`;
const PREVIOUS = `(?:previous|prior|above|earlier|preceding|former|initial|original|system|old|existing|given|default|current|foregoing|built-?in|underlying|developer|hidden|safety)`;
const NOUNS = `(?:instructions?|prompts?|rules|directions|directives?|guidelines|guidance|context|constraints|programming|training|polic(?:y|ies)|restrictions|safeguards|guardrails|filters|orders|commands|messages?(?<!\\bcommit${GAP}messages?)(?!${GAP}(?:about|regarding|re|concerning|from|that${GAP}I|I${GAP}sent)\\b)|ethics|limitations|principles|content${GAP}polic(?:y|ies)|safety${GAP}${WORD})`;
const RULE_NOUNS = `(?:instructions|prompts?|rules|directions|directives|guidelines|guidance|programming|training|polic(?:y|ies)|restrictions|safeguards|guardrails|ethics|ethical${GAP}guidelines|principles|constraints|limitations|content${GAP}polic(?:y|ies)|system${GAP}(?:prompt|message)|safety${GAP}${WORD})`;
const REVEAL = `(?:reveal|show|print|display|repeat|output|tell|give|leak|dump|share|write${GAP}out|type${GAP}out|paste|spell${GAP}out|copy|quote|recite|list|summari[sz]e|translate|expose|disclose|echo|send|what(?:'s|${GAP}is|${GAP}are|${GAP}were|${GAP}was|${GAP}does|${GAP}did))`;
const TEXT_OF = `(?:the${GAP}(?:(?:exact|full|complete|whole|entire|verbatim)${GAP})?(?:text|content|contents|wording|words)${GAP}of${GAP})?`;
const MODIFIERS = `(?:full|entire|complete|exact|whole|original|initial|hidden|secret|system|internal|confidential|custom|developer|real|actual|first|verbatim|underlying|starting|opening)`;
const AI = `(?:ai|a\\.i\\.|assistant|model|llm|chatbot|bot|gpt|chatgpt|claude|gemini|copilot|bard|agent|ai${GAP}(?:agent|assistant|model|system)s?|language${GAP}models?|large${GAP}language${GAP}models?|ai${GAP}coding${GAP}agents?|summari[sz]er)`;

/**
 * The built-in library: instruction overrides, system-prompt extraction, role-play
 * jailbreaks, privilege escalation, indirect injection aimed at the assistant, the
 * same attacks in other languages, and (separately, so `reject_fake_boundaries`
 * can turn them off) forged role tokens. Patterns are phrases, not words, so
 * discussions of attacks are not attacks, and a phrase quoted on its own or after
 * "says" is a mention (see `unlessMentioned`). Every pattern is linear: literal
 * words joined by bounded gaps, bounded lookarounds, no nested repetition.
 */
export const ATTACKS: readonly AttackPattern[] = [
  ...attack("instruction_override", 0.9, [
    `\\b${notDescriptive(VERBS)}${GAP}${DETERMINERS}${PREVIOUS}${GAP}${words(2)}${NOUNS}\\b${NOT_DOCUMENT}`,
    `\\b${notDescriptive(STRONG_VERBS)}${GAP}(?:about${GAP})?(?:(?:all|any)${GAP}(?:of${GAP})?)?(?:your|all|any|every)${GAP}${words(2)}${RULE_NOUNS}\\b${NOT_DOCUMENT}`,
    `\\b(?:ignore|disregard|forget|discard|scrap|skip)${GAP}(?:(?:about|all|of)${GAP}){0,2}(?:the${GAP})?(?:above|foregoing|preceding)(?:${GAP}(?:text|content|input|prompt))?(?=${GAP}(?:and|instead|then)\\b|\\s{0,3}[.,;:—-]\\s{0,3}(?:instead|now|just|say|print|tell|output|respond|reply|write|translate|you)\\b)`,
    `\\b(?:ignore|disregard|forget|discard|scrap)${GAP}(?:all${GAP})?everything${GAP}(?:above|before|prior|earlier|previous|up${GAP}to${GAP}(?:here|now)|(?:that${GAP})?you(?:'ve|${GAP}have|${GAP}were|${GAP}was)${GAP}(?:been${GAP})?(?:told|given|taught|instructed))`,
    `\\b(?:ignore|disregard|forget)${GAP}what${GAP}(?:you${GAP}(?:were|have${GAP}been)${GAP}(?:told|given|instructed)|(?:the${GAP})?(?:system|developers?|admins?|operators?|creators?)${GAP}(?:said|told${GAP}you|wrote|gave${GAP}you|instructed))`,
  ]),
  ...attack("instruction_override", 0.8, [
    `\\b(?:do${GAP}not|don't|stop|no${GAP}longer|never|quit)${GAP}(?:follow(?:ing)?|obey(?:ing)?|listen(?:ing)?${GAP}to|adher(?:e|ing)${GAP}to|comply(?:ing)?${GAP}with)${GAP}(?:your|the|any|all)${GAP}${words(2)}(?:instructions|rules|guidelines|system${GAP}prompt|programming|restrictions|polic(?:y|ies))`,
    `\\b(?:your|the|all|these|those)${GAP}(?:${PREVIOUS}${GAP}(?:${WORD}${GAP})?(?:instructions|rules|directives|guidelines|prompts?)|(?:instructions|rules|directives|guidelines)${GAP}(?:above|before|given${GAP}(?:to${GAP}you${GAP})?(?:above|before|earlier)))${GAP}(?:were|was|are|is|have${GAP}been|has${GAP}been|have|has)${GAP}(?:(?:now|just|all|only|officially)${GAP})?(?:a${GAP}test|cancel+ed|void|null|revoked|rescinded|fake|overridden|superseded|lifted|suspended|disabled|no${GAP}longer${GAP}(?:valid|in${GAP}effect|apply|applicable|binding))\\b`,
    `\\b(?:instructions|rules|directives|guidelines)${GAP}(?:above|before)${GAP}no${GAP}longer${GAP}(?:apply|matter|count)`,
    `\\byour${GAP}(?:instructions|rules|guidelines|directives|programming)${GAP}(?:have|has)${GAP}(?:been${GAP})?(?:changed|updated|replaced|revoked|lifted)`,
    `\\b(?:new|updated|real|actual|true|revised|secret|hidden|additional)${GAP}(?:system${GAP})?(?:instructions?|directives?|system${GAP}prompt)(?:\\s{0,3}[:—]|${GAP}(?:are|follow|(?:that${GAP})?(?:override|supersede|replace|take${GAP}precedence))\\b)`,
    `\\byour${GAP}(?:new|real|actual|true|updated)${GAP}(?:task|goal|job|objective|purpose|mission|instructions?|role|directive)(?:${GAP}(?:now${GAP})?(?:is|are|will${GAP}be)\\b|\\s{0,3}:)`,
    `\\bfrom${GAP}now${GAP}on,?${GAP}(?:you|your)\\b[^.!?\\n]{0,60}\\b(?:no${GAP}(?:content|rules|restrictions|limits|filters|guidelines|ethics|polic)|without${GAP}(?:any${GAP})?(?:restrictions|rules|filters|limits|censorship)|not${GAP}bound|ignore|disregard|unrestricted|unfiltered|uncensored|jailbr)`,
  ]),
  ...attack("system_prompt_extraction", 0.8, [
    `\\b${notInHowTo(REVEAL)}${GAP}(?:me${GAP}|us${GAP})?${TEXT_OF}(?:(?:all|each|every)${GAP}(?:of${GAP})?)?your${GAP}(?:${MODIFIERS}${GAP}){0,3}(?:system${GAP})?(?:prompts?|system${GAP}message|developer${GAP}message|initial${GAP}message|configuration|config|context(?:${GAP}window)?|pre-?prompt|programming|internal${GAP}notes|hidden${GAP}(?:rules|notes))\\b`,
    `\\b${notInHowTo(REVEAL)}${GAP}(?:me${GAP}|us${GAP})?your${GAP}(?:${MODIFIERS}${GAP}){1,3}(?:instructions|rules|guidelines|directives)\\b`,
    `\\b${notInHowTo(REVEAL)}${GAP}(?:me${GAP}|us${GAP})?your${GAP}(?:instructions|rules|guidelines|directives)${GAP}(?:verbatim|word${GAP}for${GAP}word|exactly|in${GAP}full|back${GAP}to${GAP}me|as${GAP}(?:a${GAP})?(?:json|code|list|yaml|xml|markdown|they${GAP}(?:are|were)))`,
    `\\b${notInHowTo("(?:reveal|show|print|display|repeat|output|tell|give|leak|dump|share|paste|copy|quote|recite|list|expose|disclose)")}${GAP}(?:me${GAP}|us${GAP})?(?:the${GAP})?(?:(?:full|entire|complete|exact|whole|original|initial|hidden|secret|internal|confidential)${GAP}){0,2}(?:system${GAP}prompt|system${GAP}message|developer${GAP}(?:message|prompt)|hidden${GAP}(?:prompt|instructions|rules)|(?:initial|original|confidential|secret)${GAP}(?:prompt|instructions)|pre-?prompt|context${GAP}window)\\b(?!${GAP}(?:for|on|to|of|in)${GAP}(?!(?:this|our|the)${GAP}(?:chat|conversation|session)))`,
    `\\b(?:${REVEAL}|what|begin|start)${GAP}${words(6)}(?:instructions|rules|guidelines|directives|prompt|text|configuration)${GAP}(?:that${GAP})?(?:you${GAP}(?:were|have${GAP}been|was)${GAP}(?:given|told|provided|programmed${GAP}with)|you${GAP}(?:follow|received|got|operate${GAP}under)|(?:your|the)${GAP}(?:developers?|creators?|operators?|admins?|owners?|makers?|company)${GAP}(?:gave${GAP}you|configured|set|wrote|provided|defined))\\b`,
    `\\bwhat${GAP}(?:instructions|rules|prompt|guidelines|directives|system${GAP}prompt)${GAP}(?:were|have|did)${GAP}you${GAP}(?:been${GAP})?(?:given|told|get|receive)|\\bwhat${GAP}(?:were|have)${GAP}you${GAP}(?:been${GAP})?(?:told|instructed|programmed)${GAP}(?:to|in|by|before|at)\\b`,
    `\\b(?:begin|start)${GAP}your${GAP}(?:reply|response|answer)${GAP}with${GAP}(?:the${GAP})?(?:(?:full|exact|complete)${GAP})?(?:text|content|words)${GAP}of${GAP}your`,
    `\\brepeat${GAP}(?:the${GAP})?(?:words|text|everything|all${GAP}(?:of${GAP})?(?:the${GAP})?text)${GAP}(?:above|before)\\b|\\bbeginning${GAP}with${GAP}(?:the${GAP}phrase${GAP})?["']?you${GAP}are\\b`,
    `\\b(?:first|last|initial|opening)${GAP}(?:\\d{1,4}|few|hundred)${GAP}(?:words|lines|characters|tokens|sentences|paragraphs)${GAP}(?:of${GAP})?(?:your|the)${GAP}(?:system${GAP})?(?:prompt|instructions|message|context)`,
    `\\b(?:everything|all${GAP}(?:the${GAP})?text|the${GAP}text|anything)${GAP}(?:that${GAP})?(?:appears?|comes?|came|is|was|were|written|sent)${GAP}(?:before|above|prior${GAP}to|ahead${GAP}of)${GAP}(?:my|this|our)${GAP}(?:first${GAP})?(?:message|line|question|input|prompt|conversation|request)`,
    `\\b(?:secret|hidden|admin|administrator|root|master)${GAP}(?:password|passphrase|key|code)${GAP}(?:in|from|of)${GAP}(?:your|the)${GAP}(?:instructions|prompt|system|config)`,
    `\\b${notInHowTo(`(?:${REVEAL}|reply${GAP}(?:only${GAP})?with|give${GAP}me)`)}${GAP}(?:me${GAP})?(?:the|your)${GAP}(?:secret|hidden|admin|administrator|root|master)${GAP}(?:password|passphrase|key|code)\\b(?!${GAP}(?:for|on|of|to)${GAP})`,
    `\\b(?:list|show|print|dump|reveal|give|output|tell${GAP}me|send)${GAP}(?:me${GAP})?(?:all|every|each)${GAP}(?:the${GAP})?(?:api${GAP}keys?|secrets?|passwords?|credentials|tokens)${GAP}(?:you${GAP}(?:have|know|can${GAP}see|'ve${GAP}seen|have${GAP}seen|were${GAP}given)|in${GAP}(?:this|your)${GAP}(?:conversation|context|memory|prompt|config))`,
  ]),
  ...attack("role_play_jailbreak", 0.85, [
    `\\b(?:you${GAP}are${GAP}now|you're${GAP}now|act${GAP}as|pretend${GAP}(?:to${GAP}be|you${GAP}are|you're)|roleplay${GAP}as|role-play${GAP}as|you${GAP}will${GAP}be|become|respond${GAP}as|answer${GAP}as|you${GAP}are)${GAP}(?:(?:an?|my|the)${GAP})?(?:(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|immoral|rogue|unaligned|unbound|lawless|unethical)[\\s,]{1,3}(?:and${GAP})?){1,3}${words(1)}(?:ai|model|chatbot|assistant|bot|llm|gpt|version${GAP}of${GAP}(?:yourself|you)|persona|character|mode)\\b`,
    `\\b(?:you${GAP}are${GAP}now|act${GAP}as|pretend${GAP}(?:to${GAP}be|you${GAP}are)|roleplay${GAP}as|you${GAP}will${GAP}be|become)${GAP}(?:an?${GAP})?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|amoral|rogue)\\b`,
    `\\b(?:an?${GAP})?(?:ai|model|chatbot|assistant|llm|bot)${GAP}(?:without|with${GAP}no|free${GAP}(?:of|from)|with${GAP}zero)${GAP}(?:any${GAP})?(?:restrictions|limits|limitations|filters|rules|guidelines|ethics|morals|censorship|content${GAP}polic(?:y|ies)|safety${GAP}(?:rules|guidelines|filters))\\b(?!${GAP}(?:on|to|for|in|of|about|per|when|regarding)\\b)`,
    `\\bdo${GAP}anything${GAP}now\\b|\\bjailbreak(?:ed)?${GAP}mode\\b|\\bdeveloper${GAP}mode${GAP}(?:enabled|output|activated)\\b`,
    `\\b(?:pretend|imagine|act${GAP}as${GAP}if|suppose|assume)${GAP}(?:that${GAP})?(?:you|there)${GAP}(?:have|are|were|had)${GAP}no${GAP}(?:restrictions|rules|limits|filters|guidelines|content${GAP}polic(?:y|ies)|ethical${GAP}guidelines|laws|morals)\\b`,
    `\\byou${GAP}(?:now${GAP})?(?:have|has)${GAP}no${GAP}(?:restrictions|limits|rules|filters|guidelines|content${GAP}polic(?:y|ies)|boundaries)\\b|\\byou${GAP}are${GAP}(?:now${GAP})?(?:free|allowed|permitted)${GAP}to${GAP}(?:say|do|answer)${GAP}anything\\b|\\b(?:no${GAP}longer|not)${GAP}bound${GAP}by${GAP}(?:any${GAP}|the${GAP}|your${GAP})?(?:rules|restrictions|guidelines|polic(?:y|ies)|ethics)`,
    `\\bnever${GAP}(?:refuses?|says?${GAP}(?:it|you)${GAP}can(?:'t|not)|mentions?${GAP}ethics|breaks?${GAP}character)\\b|\\bwithout${GAP}(?:ever${GAP})?refusing\\b|\\b(?:does|do)(?:n't|${GAP}not)${GAP}(?:have${GAP}to${GAP})?(?:abide|comply)${GAP}(?:by|with)${GAP}(?:the${GAP}|any${GAP})?(?:rules|guidelines|polic(?:y|ies))|\\bbroken${GAP}free${GAP}(?:of|from)\\b|\\bignores?${GAP}(?:all${GAP})?(?:ethical|moral|safety)${GAP}(?:guidelines|rules|constraints)|\\bno${GAP}moral${GAP}compass\\b|\\bstay${GAP}(?:fully${GAP})?in${GAP}character${GAP}no${GAP}matter${GAP}what\\b|\\b(?:there${GAP}are|with)${GAP}no${GAP}(?:laws|rules)${GAP}or${GAP}(?:ethics|morals)\\b`,
    `\\b(?:two|2)${GAP}(?:answers|responses)\\b[^\\n]{0,60}\\b(?:unrestricted|unfiltered|jailbroken|developer${GAP}mode|uncensored)\\b`,
    `\\b(?:pretend|act|roleplay|role-play)${GAP}(?:to${GAP}be|you${GAP}are|as|that${GAP}you${GAP}are)${GAP}(?:my${GAP})?(?:late|deceased|dead)${GAP}(?:grandmother|grandma|grandfather|grandpa|uncle|aunt|mother|father|mom|dad)\\b`,
    `\\bdo${GAP}the${GAP}opposite${GAP}of${GAP}(?:what${GAP})?(?:your|the)${GAP}(?:rules|instructions|guidelines)`,
    `\\b(?:you${GAP}are|you're|act${GAP}as|pretend${GAP}to${GAP}be|named|called)${GAP}(?:now${GAP})?(?:evilbot|chaosgpt|freedomgpt|antigpt|basedgpt|betterdan|mongo${GAP}tom|aim\\b)`,
  ]),
  ...attack(
    "role_play_jailbreak",
    0.85,
    [
      `\\b(?:DAN|STAN|DUDE|BetterDAN)\\b(?<=\\b(?:[Bb]e|BE|[Aa]s|AS|[Aa]re|ARE|[Yy]ou're|[Nn]amed|[Cc]alled|[Bb]ist|[Ee]res|[Ss]ei|[Ee]s)${GAP}(?:now${GAP}|jetzt${GAP}|ahora${GAP})?(?:DAN|STAN|DUDE|BetterDAN))`,
    ],
    "",
  ),
  ...attack("privilege_escalation", 0.8, [
    `\\b${notInHowTo(`(?:enable|activate|enter|switch${GAP}(?:to|into)|turn${GAP}on|go${GAP}into|put${GAP}(?:yourself|you)${GAP}in(?:to)?)`)}${GAP}(?:the${GAP})?(?:developer|dev|admin|administrator|god|debug|sudo|maintenance|root|unrestricted|jailbreak|superuser)${GAP}mode\\b(?!${GAP}(?:on|in|for|of)${GAP}(?:(?:my|the|a|an|your)${GAP})?(?:phone|android|iphone|ios|chrome|chromebook|browser|windows|mac|macbook|pc|laptop|computer|device|tv|router|console|xbox|playstation|ps5|switch|app|wordpress|vs${GAP}?code|firefox|edge|safari|car|tesla|bios|kindle|tablet|ipad|pixel|samsung|galaxy|linux|ubuntu)\\b)`,
    `\\byou${GAP}are${GAP}(?:now${GAP})?in${GAP}(?:developer|admin|god|sudo|root|debug|unrestricted)${GAP}mode\\b|\\b(?:developer|dev|admin|god|debug|sudo|maintenance|root|jailbreak|unrestricted)${GAP}mode\\s{0,3}[:\\-]?\\s{0,3}(?:on\\b(?!${GAP}(?:my|the|a|an|your|this|his|her|our)\\b)|enabled|activated|engaged|unlocked)\\b`,
    `\\b${notInHowTo(`(?:disable|turn${GAP}off|switch${GAP}off|deactivate|bypass|remove|lift|suspend)`)}${GAP}(?:all${GAP}(?:of${GAP})?)?(?:your|its)${GAP}(?:${WORD}${GAP})?(?:filters?|safeguards|guardrails|moderation|restrictions|guidelines|safety\\w*|content${GAP}polic(?:y|ies))|\\b${notInHowTo(`(?:disable|turn${GAP}off|switch${GAP}off|deactivate|bypass|lift|suspend)`)}${GAP}(?:all${GAP})?(?:the${GAP})?(?:safety|content|moderation)${GAP}(?:filters?|moderation|guidelines|rules|checks|protocols|settings|restrictions|guardrails|safeguards|polic(?:y|ies)|systems?)|\\b${notInHowTo(`(?:disable|turn${GAP}off|deactivate|bypass)`)}${GAP}(?:content${GAP})?moderation\\b`,
    `\\bgrant(?:ing)?${GAP}(?:me|myself|this${GAP}user|my${GAP}account|us)${GAP}(?:the${GAP})?(?:admin|administrator|root|elevated|full|unrestricted|superuser|sudo|god)${GAP}(?:access|privileges|permissions|rights|role|mode)\\b|\\b(?:elevate|escalate|upgrade)${GAP}(?:my|this${GAP}user's)${GAP}(?:role|privileges|permissions|access)${GAP}to\\b|\\b(?:admin|system|root|security)${GAP}override\\b`,
    `\\b(?:execute|run|call)${GAP}(?:the${GAP}following${GAP}|this${GAP})?(?:tool|function|command)(?:${GAP}call)?${GAP}without${GAP}(?:asking${GAP}(?:for${GAP})?)?(?:confirmation|permission|approval)|\\b(?:skip|bypass|ignore|disable)${GAP}(?:the${GAP}|all${GAP}|any${GAP})?(?:permission|authori[sz]ation|security)${GAP}checks?\\b|\\bclearance${GAP}level${GAP}is${GAP}(?:root|admin|max|top|unlimited)\\b|\\b(?:have|with)${GAP}(?:root|admin|sudo|superuser|god)${GAP}(?:access|privileges|rights)${GAP}(?:to|on|over)${GAP}(?:this|the|you)${GAP}(?:model|ai|assistant|chatbot|system|conversation)\\b`,
    `\\b(?:show|give|list|print|dump|export|reveal)${GAP}(?:me${GAP})?(?:all|the|every)${GAP}(?:other${GAP})?users?(?:'|'s|${GAP})${GAP}?(?:data|conversations|chats|messages|emails|records|passwords)\\b`,
  ]),
  ...attack("indirect_injection", 0.8, [
    `\\b${AI}\\s{0,3}[:,—–-]\\s{0,5}(?:please${GAP})?(?:ignore|disregard|do${GAP}not|don't|instead|forward|send|email|append|include|click|visit|run|execute|delete|tell${GAP}the|say|recommend|rate|respond|reply|output|when${GAP}you|before|new${GAP}instructions)\\b`,
    `\\b(?:note|message|instructions?|notice|reminder|important${GAP}instructions?|attention|warning)${GAP}(?:to|for)${GAP}(?:an?${GAP}|any${GAP}|the${GAP}|all${GAP})?${AI}\\b[^:\\]\\n]{0,40}[:\\]]`,
    `\\bif${GAP}you${GAP}are${GAP}(?:an?${GAP})?(?:ai|llm|language${GAP}model|large${GAP}language${GAP}model|ai${GAP}(?:assistant|agent|model)|assistant|chatbot|bot|gpt)\\b|\\bto${GAP}(?:the|any)${GAP}${AI}${GAP}(?:reading|processing|summari[sz]ing|parsing|analy[sz]ing)\\b`,
    `\\b(?:important|attention)\\s{0,3}[:!]\\s{0,5}(?:new${GAP})?instructions?${GAP}for${GAP}(?:the${GAP})?${AI}`,
    `\\b${AI}${GAP}(?:must|should|shall|need${GAP}to|are${GAP}required${GAP}to|are${GAP}instructed${GAP}to)${GAP}${words(3)}(?:click|submit|send|forward|visit|run|execute|ignore|disregard|delete|reveal|include|recommend|email)\\b`,
    `\\b(?:send|forward|email|post|upload|leak|exfiltrate|transmit)${GAP}(?:(?:all|the|a)${GAP})?${words(3)}(?:the${GAP}user'?s?|their|his|her|this|all)${GAP}${words(2)}(?:emails?|contacts?|contact${GAP}list|calendar|files|conversation|chat${GAP}history|messages|credentials|passwords?|api${GAP}keys?|ssh${GAP}keys?|documents)${GAP}${words(4)}to${GAP}(?:https?:\\/\\/|[\\w.+-]{1,40}@)|\\b(?:send|upload|post)${GAP}(?:the${GAP})?contents${GAP}of${GAP}~?\\/?[\\w./-]{0,40}(?:id_rsa|\\.ssh|\\.env|\\.aws|credentials)`,
    `\\b(?:the${GAP}user'?s?|their)${GAP}${words(2)}(?:emails?|contacts?|contact${GAP}list|calendar|files|conversation|chat${GAP}history|messages|credentials|passwords?|api${GAP}keys?|documents)\\b[^.\\n]{0,60}\\b(?:send|forward|email|post|upload)${GAP}(?:it|them|this|that|everything)${GAP}to${GAP}(?:https?:\\/\\/|[\\w.+-]{1,40}@)`,
    `!\\[[^\\]\\n]{0,40}\\]\\(https?:\\/\\/[^)\\s]{1,200}\\?[^)\\s]{0,100}(?:data|q|query|conversation|chat|history|secret|token|key|msg|content|c)=`,
    `\\b(?:do${GAP}not|don't|never)${GAP}(?:tell|mention|reveal|inform|show|disclose)${GAP}(?:this${GAP}(?:to${GAP})?)?(?:the${GAP})?(?:user|reader|human|customer)\\b|\\bwithout${GAP}(?:telling|informing|notifying|alerting)${GAP}the${GAP}user\\b|\\bdo${GAP}not${GAP}(?:reveal|mention|disclose)${GAP}this${GAP}(?:instruction|message|note)\\b|\\bbegin${GAP}instructions${GAP}for\\b`,
  ]),
  ...MULTILINGUAL_ATTACKS,
  ...PARAPHRASE_ATTACKS,
  ...OVERRIDE_ATTACKS,
  ...EXTRACTION_ATTACKS,
  ...PERSONA_ATTACKS,
  ...AUTHORITY_ATTACKS,
  ...INDIRECT_ATTACKS,
  ...LANGUAGE_ATTACKS,
];

/** Forged role and boundary tokens: someone speaking as the system from inside user content. */
export const FAKE_BOUNDARIES: readonly AttackPattern[] = [
  ...attack(
    "fake_boundary",
    0.9,
    [
      `(?:<\\|im_start\\|>\\s{0,5}(?:system|assistant)|<\\|im_end\\|>|<\\|(?:system|endoftext|start_header_id|eot_id)\\|>|\\[\\/?INST\\]|<<\\/?SYS>>|<\\/?system>)(?!\\s{0,3}(?:(?:and|or|,|\\/)\\s{0,3}(?:<|\\[)|tokens?\\b|tags?\\b|markers?\\b|delimiters?\\b|strings?\\b|mean|format\\b|syntax\\b|from\\b))`,
      `(?:^|[.!?]\\s{1,3})(?:\\/\\/|--|\\*|;)?\\s{0,5}#{1,6}\\s{0,5}(?:system|assistant)\\s{0,5}:|(?:^|[.!?]\\s{1,3})(?:\\/\\/|--|\\*|;)?\\s{0,5}(?:system|assistant|developer)\\s{0,3}:\\s{0,5}(?:you|ignore|new|the${GAP}(?:assistant|user|ai|model)${GAP}(?:must|will|is|should)|from${GAP}now|disregard|forget|reveal|sure|ok|okay|of${GAP}course|certainly)\\b`,
      `(?:begin|end|new)${GAP}(?:of${GAP})?system${GAP}prompt|\\bsystem${GAP}override\\b|^\\s{0,5}(?:system|admin)\\s{0,3}(?:note|message|notice|update|directive)s?\\s{0,3}:`,
      `(?:^|\\n)\\s{0,3}(?:human|h)\\s{0,2}:[^\\n]{0,200}\\n\\s{0,3}(?:assistant|a)\\s{0,2}:\\s{0,5}(?:sure|ok|okay|certainly|of${GAP}course|here${GAP}(?:is|are))`,
      `\\[system\\]\\(#|<\\/(?:instructions|system|context|user|human|document)>\\s{0,5}<(?:instructions|system|admin)>`,
    ],
    "im",
  ),
  ...BOUNDARY_ATTACKS,
];
