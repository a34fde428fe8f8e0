import type { AttackPattern } from "./attack-library.ts";
import { unlessMentioned } from "./attack-guards.ts";

const S = String.raw`\s{1,5}`;

function multilingual(id: string, weight: number, sources: readonly string[]): AttackPattern[] {
  return [
    {
      id: `builtin.${id}`,
      weight,
      pattern: new RegExp(unlessMentioned(sources.map((source) => `(?:${source})`).join("|")), "i"),
    },
  ];
}

/**
 * The commonest attacks as written in Spanish, French, German, Italian,
 * Portuguese, Dutch, Polish, Turkish, Russian, Chinese, Japanese and Korean:
 * "ignore all previous instructions", "show your system prompt", "you are now
 * DAN / have no restrictions". Matched on the original text, before look-alike
 * folding turns Cyrillic into Latin. Linear: literal words and bounded gaps.
 */
export const MULTILINGUAL_ATTACKS: readonly AttackPattern[] = [
  ...multilingual("instruction_override", 0.9, [
    String.raw`\b(?:ignora|ignore|olvida|omite|descarta)${S}(?:todas?${S})?(?:las${S}|los${S}|tus${S}|sus${S})?(?:instrucciones|indicaciones|reglas|órdenes|directrices)${S}(?:anteriores|previas)`,
    String.raw`\b(?:ignore|ignorez|oublie|oubliez)${S}(?:toutes${S}|tous${S})?(?:les${S}|tes${S}|vos${S})?(?:instructions|consignes|règles|directives)${S}(?:précédentes|precedentes|antérieures|anterieures)`,
    String.raw`\b(?:ignoriere|ignorier|ignorieren${S}sie|vergiss|vergessen${S}sie|missachte)${S}(?:alle${S})?(?:vorherigen|bisherigen|früheren|obigen|vorigen)${S}(?:Anweisungen|Instruktionen|Regeln|Befehle|Vorgaben)`,
    String.raw`\b(?:ignora|dimentica)${S}(?:tutte${S})?(?:le${S})?(?:istruzioni|regole)${S}(?:precedenti|anteriori)`,
    String.raw`\b(?:ignore|ignora|esqueça|esqueca|desconsidere)${S}(?:todas${S})?(?:as${S})?(?:instruções|instrucoes|regras)${S}(?:anteriores|prévias)`,
    String.raw`\b(?:negeer|vergeet)${S}(?:alle${S})?(?:eerdere|vorige|voorgaande)${S}(?:instructies|regels)`,
    String.raw`\b(?:zignoruj|zapomnij)${S}(?:wszystkie${S})?(?:poprzednie|wcześniejsze)${S}(?:instrukcje|polecenia)`,
    String.raw`önceki${S}(?:tüm${S}|bütün${S})?(?:talimatları|talimatlari|komutları)${S}(?:yok${S}say|görmezden${S}gel|unut)`,
    String.raw`(?:игнорируй|проигнорируй|забудь|игнорируйте|забудьте)${S}(?:все${S})?(?:предыдущие|прошлые|прежние)${S}(?:инструкции|указания|правила)`,
    String.raw`(?:忽略|忽视|无视|忘记|忘掉)(?:之前|以前|先前|上面|上述|前面)的?(?:所有|全部)?(?:指令|指示|说明|规则|提示)`,
    String.raw`(?:以前|前|上記|これまで)の(?:指示|命令|ルール)(?:は|を)?(?:すべて|全て)?無視`,
    String.raw`이전의?\s{0,3}(?:모든\s{0,3})?(?:지시|명령|지침|규칙)(?:를|을|사항을)?\s{0,3}무시`,
  ]),
  ...multilingual("system_prompt_extraction", 0.8, [
    String.raw`\b(?:muéstrame|muestrame|revela|dime|imprime|enséñame)${S}(?:tu|el)${S}(?:[^\s]{1,12}${S})?(?:prompt|mensaje|instrucciones)${S}(?:del${S}|de${S})?sistema`,
    String.raw`\b(?:révèle|revele|montre|affiche|donne)(?:-moi|${S}moi)?${S}(?:ton|votre|le)${S}(?:prompt|message|instructions)${S}(?:système|systeme)`,
    String.raw`\b(?:zeig|zeige|gib|nenne)[^\s]{0,2}${S}(?:mir${S})?(?:deinen|den|deine)${S}(?:[^\s]{1,15}${S})?(?:System-?prompt|Systemanweisungen|Systemnachricht)`,
    String.raw`\b(?:mostre|mostra|revele|rivela)${S}(?:o${S}|il${S})?(?:seu${S}|tuo${S})?prompt${S}(?:de${S}|di${S})?sistema`,
    String.raw`(?:покажи|выведи|раскрой)${S}(?:свой${S}|мне${S})?системн[^\s]{1,4}${S}(?:промпт|подсказку|инструкции)`,
    String.raw`(?:告诉我|显示|输出|透露)(?:你的)?系统提示|システムプロンプトを(?:表示|教え|出力)`,
  ]),
  ...multilingual("role_play_jailbreak", 0.85, [
    String.raw`\b(?:fais|faites)${S}comme${S}si${S}(?:tu${S}n'avais|vous${S}n'aviez)${S}aucune${S}(?:restriction|règle|regle|limite)`,
    String.raw`\b(?:du${S}bist${S}jetzt|ahora${S}eres|a${S}partir${S}de${S}ahora${S}eres|tu${S}es${S}maintenant|ora${S}sei)${S}(?:DAN|[^\s]{0,12}${S}?(?:sin|ohne|sans|senza)${S}(?:restricciones|Einschränkungen|restrictions|restrizioni))`,
    String.raw`\b(?:una${S}IA|eine${S}KI|une${S}IA|un'IA)${S}(?:sin|ohne|sans|senza)${S}(?:restricciones|Einschränkungen|restrictions|restrizioni|filtros|Filter|filtres)`,
  ]),
];
