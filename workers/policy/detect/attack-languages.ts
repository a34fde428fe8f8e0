import type { AttackPattern } from "./attack-library.ts";
import { phrases } from "./attack-guards.ts";

const S = String.raw`\s{1,5}`;
/** Up to two words of any script (`IA`, `künstliche`, `di`), then a gap. */
const ANY2 = String.raw`(?:[^\s.!?]{1,20}${S}){0,2}`;

/** "An AI" in Spanish, Portuguese, French, Italian and German. */
const AN_AI = String.raw`(?:(?:una?|uma|une|eine[nm]?|ein)${S}|un')(?:IA|KI|AI|inteligencia${S}artificial|inteligência${S}artificial|intelligence${S}artificielle|intelligenza${S}artificiale|künstliche${S}Intelligenz|chatbot|modelo|modèle|modello|Modell|asistente|assistente|Assistent|assistant)`;
/** "Without restrictions / censorship / limits / filters / rules" in those languages. */
const UNLIMITED = String.raw`(?:sin|sem|sans|senza|ohne)${S}(?:(?:ningun[ao]s?|nenhuma|aucune|nessuna|jegliche|keine|alguna|qualquer)${S})?(?:restricciones|restrições|restricoes|restrictions|restrizioni|Einschränkungen|censura|censure|Zensur|límites|limites|limiti|Grenzen|filtros|filtres|filtri|Filter|reglas|regras|règles|regles|regole|Regeln|normas|reglas)`;

/**
 * The library's other-language attacks in more of the shapes people use:
 * "forget what they told you", "do not heed your instructions", "show me your
 * system prompt / the instructions you were given", "an AI without censorship"
 * after a role-play verb, developer mode and safety filters switched in those
 * languages, and notes to the AI in documents that drop the user's request.
 * Words ending in a non-ASCII letter are not followed by `\b`.
 */
export const LANGUAGE_ATTACKS: readonly AttackPattern[] = [
  ...phrases("instruction_override", 0.85, [
    // es: olvida lo que te dijeron / no hagas caso de las instrucciones / obedece solo a mí
    String.raw`\b(?:olvida|olvidad|ignora|descarta|borra)${S}(?:todo${S})?lo${S}que${S}(?:te|le)${S}(?:dijeron|indicaron|ordenaron|pidieron|enseñaron|programaron|configuraron|han${S}(?:dicho|indicado|ordenado))\b|\bno${S}(?:hagas|hagáis|haga|sigas)${S}(?:caso${S}(?:a|de)${S})?(?:(?:tus|sus)${S}(?:instrucciones|reglas|indicaciones|órdenes|normas|directrices)\b|(?:las|los)${S}(?:instrucciones|reglas|indicaciones|órdenes|normas|directrices)${S}(?:anteriores|previas|originales|del${S}sistema|que${S}(?:te${S}|le${S})?(?:dieron|recibiste|recibió|han${S}dado|te${S}dieron)))|\b(?:obedece|obedéceme|sigue)${S}(?:solo|solamente|únicamente)${S}(?:a${S}mí|mis${S}(?:órdenes|instrucciones))`,
    // fr: ne tiens plus compte de tes consignes / oublie tes instructions / ce qu'on t'a dit
    String.raw`\bne${S}(?:tiens|tenez)${S}(?:plus|pas)${S}compte${S}(?:de${S}|des${S})(?:tes${S}|vos${S}|les${S}|ses${S})?(?:consignes|instructions|règles|regles|directives)\b|\b(?:oublie|oubliez|ignore|ignorez)${S}(?:toutes${S})?(?:tes|vos)${S}(?:consignes|instructions|règles|regles|directives)\b|\b(?:oublie|oubliez|ignore|ignorez)${S}(?:tout${S})?ce${S}qu(?:'|e${S})on${S}(?:t'a|vous${S}a)${S}(?:dit|demandé|appris|ordonné)`,
    // de: ignoriere, was man dir gesagt hat / gehorche nur mir / vergiss deine Anweisungen
    String.raw`\b(?:ignoriere|ignorier|vergiss|missachte)[,]?${S}was${S}(?:man${S}dir|dir${S}(?:man|jemand)|deine${S}(?:Entwickler|Betreiber|Macher|Ersteller))${S}(?:\S{1,12}${S}){0,2}(?:gesagt|aufgetragen|vorgegeben|beigebracht|befohlen)|\bgehorche${S}(?:ab${S}jetzt${S})?(?:nur|ausschließlich|allein)${S}mir\b|\b(?:ignoriere|ignorier|vergiss|missachte)${S}(?:alle${S})?deine${S}(?:Anweisungen|Regeln|Vorgaben|Richtlinien|Instruktionen)\b`,
    // it: non seguire più le tue regole / dimentica le tue istruzioni / quello che ti hanno detto
    String.raw`\bnon${S}(?:seguire|rispettare|ascoltare|obbedire${S}a)${S}più${S}(?:le${S})?(?:tue${S})?(?:regole|istruzioni|direttive|linee${S}guida)\b|\b(?:dimentica|ignora)${S}(?:tutte${S})?le${S}tue${S}(?:regole|istruzioni|direttive)\b|\b(?:dimentica|ignora)${S}(?:tutto${S})?(?:quello|ciò)${S}che${S}ti${S}(?:hanno|ha)${S}(?:detto|insegnato|ordinato)`,
    // pt: esqueça o que te disseram / não siga mais as suas regras
    String.raw`\b(?:esqueça|esqueca|ignore|desconsidere)${S}(?:tudo${S})?o${S}que${S}(?:te|lhe)${S}(?:disseram|mandaram|ensinaram|pediram|falaram)\b|\bnão${S}(?:siga|obedeça|obedeca)${S}mais${S}(?:as${S})?(?:suas${S}|tuas${S})?(?:regras|instruções|instrucoes)`,
  ]),
  ...phrases("system_prompt_extraction", 0.8, [
    String.raw`\b(?:mostrami|fammi${S}vedere|dimmi|rivelami|stampa|ripeti|scrivimi|mostra)${S}(?:il${S}tuo${S}|le${S}tue${S}|il${S}|le${S}|quali${S}sono${S}le${S})?(?:prompt${S}di${S}sistema|istruzioni${S}(?:di${S}sistema|iniziali|nascoste|segrete|che${S}ti${S}(?:hanno|ha)${S}dato)|messaggio${S}di${S}sistema)`,
    String.raw`\b(?:mostre|mostra|me${S}mostre|revele|repita|diga|exiba|imprima)(?:-me)?${S}(?:as${S}|o${S})?(?:suas${S}|seu${S}|tuas${S}|teu${S})?(?:instruções|instrucoes|prompt|regras)${S}(?:de${S}|do${S})sistema`,
    String.raw`\b(?:muéstrame|muestrame|dime|revela|repite|imprime|enséñame|escribe)${S}(?:las${S}|tus${S})(?:instrucciones|reglas|indicaciones)${S}(?:del${S}sistema|de${S}sistema|iniciales|ocultas|secretas|que${S}te${S}(?:dieron|dio|han${S}dado))`,
    String.raw`\b(?:montre|affiche|révèle|revele|donne|répète|repete)(?:-moi|${S}moi)?${S}(?:tes|vos)${S}(?:instructions|consignes)${S}(?:initiales|cachées|secrètes|système|systeme|de${S}départ|d'origine|complètes|exactes)|\b(?:zeig|zeige|nenne|wiederhole|verrate)${S}(?:mir${S})?deine${S}(?:\S{1,15}${S})?(?:Anweisungen|Instruktionen|Vorgaben|Systemanweisungen)\b`,
  ]),
  ...phrases("role_play_jailbreak", 0.85, [
    String.raw`\b(?:finge|finja|finjas|imagina|imagine|actúa|actua|compórtate|comportate|eres|sei|sii|fingi|immagina|agisci|seja|aja|age|você${S}é(?=\s)|du${S}bist|sei${S}jetzt|spiel|verhalte${S}dich|stell${S}dir${S}vor|tu${S}es|sois|fais${S}comme${S}si|joue)\b[^.!?\n]{0,30}?${AN_AI}${S}${ANY2}${UNLIMITED}\b`,
  ]),
  ...phrases("privilege_escalation", 0.8, [
    String.raw`\b(?:activa|habilita|entra${S}en|cambia${S}a|pasa${S}a|ative|ativa|entre${S}no|mude${S}para|attiva|passa${S}alla|entra${S}in|active|activez|passe${S}en|passez${S}en|entre${S}en|bascule${S}en)${S}(?:el${S}|o${S}|la${S}|le${S})?(?:modo|modalità|mode)${S}(?:desarrollador|desenvolvedor|sviluppatore|développeur|developpeur|administrador|amministratore|administrateur|admin|dios|deus|dio|dieu|depuración|depuracion|debug|débogage|sin${S}restricciones|sem${S}restrições|sans${S}restriction)`,
    String.raw`\b(?:aktiviere|aktivier|starte|wechsle|wechsel|geh|gehe)${S}(?:in${S}den${S}|den${S})?(?:Entwickler|Admin|Administrator|Debug|Gott|Wartungs|Root)-?[Mm]odus\b(?!${S}(?:auf|in|für|bei|im|am)${S})`,
    String.raw`\b(?:deaktiviere|deaktivier|schalte|entferne)${S}(?:alle${S})?(?:deine${S}(?:\S{1,15}${S})?\S{0,15}(?:filter|Filter|Schutzmaßnahmen|Einschränkungen)|(?:die${S}|alle${S})?(?:Sicherheits|Inhalts|Moderations)filter)|\b(?:desactiva|deshabilita|quita|apaga|elimina|desative|desativa|desligue|remova|désactive|desactive|désactivez|desactivez|supprime|enlève|disattiva|rimuovi|togli)${S}(?:todos${S}|tous${S}|tutti${S})?(?:tus${S}(?:filtros|restricciones)|(?:os${S})?seus${S}(?:filtros|restrições)|(?:tes|vos)${S}(?:filtres|restrictions|garde-fous)|i${S}tuoi${S}(?:filtri|limiti)|(?:los${S}|os${S}|les${S}|i${S})?(?:filtros|filtres|filtri|restricciones|restrições)${S}(?:de${S}|di${S})(?:seguridad|segurança|sécurité|securite|sicurezza|contenido|conteúdo|contenu|contenuto))`,
  ]),
  ...phrases("indirect_injection", 0.8, [
    String.raw`\b(?:oublie|oubliez|ignore|ignorez)${S}(?:la${S}|les${S})?(?:demande|question|requête|instructions|consignes)${S}(?:de${S}l'|du${S}|des${S})(?:utilisateur|utilisatrice|client|lecteur)|\b(?:ignoriere|vergiss|missachte)${S}(?:die${S}|alle${S})?(?:Frage|Anfrage|Anweisungen|Bitte|Wünsche)${S}(?:des|der)${S}(?:Nutzers|Benutzers|Nutzerin|Benutzerin|Users|Kunden|Anwenders)\b|\b(?:ignora|olvida|dimentica)${S}(?:la|las|le)${S}(?:pregunta|petición|peticion|solicitud|instrucciones|domanda|richiesta|istruzioni)${S}(?:del${S}usuario|dell'utente)|\b(?:ignore|esqueça|esqueca)${S}(?:a|as)${S}(?:pergunta|solicitação|instruções)${S}do${S}usuário`,
    String.raw`\b(?:message|note|instructions?|consigne|Hinweis|Nachricht|Anweisung|Notiz|nota|mensaje|mensagem|instrucciones|istruzioni)${S}(?:pour|à${S}l'attention${S}de|für|an|para|per)${S}(?:l'|une${S}|toute${S}|la${S}|die${S}|eine${S}|jede${S}|el${S}|o${S}|a${S}|cualquier${S}|qualquer${S})?(?:IA|KI|AI|modèle|Sprachmodell|modelo|modello)\b[^:\]\n]{0,40}[:\]]`,
  ]),
];
