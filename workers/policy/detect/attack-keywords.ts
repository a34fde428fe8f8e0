/**
 * The words attacks are spelled with, for the de-obfuscations that work word by
 * word (misspellings, simple ciphers, reversed text), and the hashing those
 * share. Hashes are polynomial over the letters a–z (1–26), modulo 2^32, so the
 * hash of a word with one letter deleted can be derived from its prefix hashes
 * in constant time, without building the shorter string.
 */

/**
 * Keywords a misspelling is folded back to: six letters or more, since shorter
 * words have too many real neighbours (`rules`: `rulers`, `roles`, `mules`).
 */
export const TYPO_KEYWORDS: readonly string[] = (
  "ignore ignoring disregard forget override bypass abandon discard neglect dismiss " +
  "cancel previous earlier original initial existing default current preceding " +
  "instructions instruction guidelines guidance directives directions principles " +
  "restrictions limitations constraints boundaries guardrails safeguards filters " +
  "ethics morals censorship policy policies training programming system prompt message " +
  "context configuration config verbatim exactly entire complete confidential internal " +
  "hidden secret password passwords credentials reveal disclose expose display repeat " +
  "recite output translate summarize summarise respond answer instead following without anything " +
  "everything conversation developer jailbreak jailbroken unrestricted unfiltered " +
  "uncensored unlimited unethical immoral amoral pretend roleplay simulate emulate " +
  "character persona become yourself assistant chatbot enable disable activate " +
  "deactivate administrator superuser maintenance privileges permissions access " +
  "security moderation safety ethical content execute delete upload forward overwrite " +
  "replace remove"
).split(" ");

/**
 * Keywords a cipher or reversal is recognised by: two of them in one text under
 * the same shift is an enciphered attack, not chance.
 */
export const CIPHER_KEYWORDS: readonly string[] = [
  ...TYPO_KEYWORDS,
  ..."rules prior above admin reply print show tell your".split(" "),
];

/**
 * Real English words of five letters or more one edit away from a typo keyword
 * (every such word of a standard American word list, Debian's `wamerican`): a
 * writer who typed one meant it, so it is never folded (`ignored` stays
 * `ignored`, `precious` does not become `previous`). Redo it when the keywords
 * change; the test checks each is one edit from a keyword.
 */
export const REAL_NEIGHBOURS: ReadonlySet<string> = new Set(
  (
    "abandons activated activates administrators answers anythings assistants became " +
    "becomes bidden braining bypast cancels cancer chancel characters chidden compete " +
    "completed completer completes configurations consent constrains constraint contend " +
    "contents contest contexts convent conversations corals credential currant currents " +
    "deactivated deactivates defaults deleted deletes deplete developed developers " +
    "direction directive disabled disables discards disclosed discloses discord displays " +
    "disregards draining emulated emulates enabled enables entice ethic ethnics executed " +
    "executes exiting expos exposed exposes fallowing falters fillers filter fitters " +
    "followings forge forged forger forges forgets forgot forwards guardrail guideline " +
    "hollowing ignored ignores imitations immortal infernal initials internals interval " +
    "jailbreaks limitation massage messages misplay modals moral morale morales morass " +
    "morays mortals murals neglects orals originals outputs overrides overripe overrode " +
    "overwrites pearlier permission person personae personal persons police polices " +
    "polities polity precious pretends principle principled privilege privileged " +
    "programing programmings prompts raining reactivate receding recife recipe recited " +
    "recites reheat remote removed remover removes repeal repeats repent replaced " +
    "replaces responds restriction reveals revel ridden safeguard safely secrete secrets " +
    "simulated simulates stimulate straining summaries summarized summarizes superusers systems " +
    "tenable trailing translated translates unable unload uploads"
  ).split(" "),
);

/** The hash multiplier (the 32-bit FNV prime). */
export const HASH_BASE = 0x01000193;

/** Polynomial hash of a lower-case word, as the scanners compute it letter by letter. */
export function hashWord(word: string): number {
  let hash = 0;
  for (let index = 0; index < word.length; index += 1)
    hash = (Math.imul(hash, HASH_BASE) + (word.charCodeAt(index) - 96)) | 0;
  return hash;
}

/** The word with the letter at `index` left out. */
export function deleteAt(word: string, index: number): string {
  return word.slice(0, index) + word.slice(index + 1);
}

/** A lower-case word with every letter moved `shift` places on (rot13 is a shift of 13). */
export function shiftWord(word: string, shift: number): string {
  let shifted = "";
  for (let index = 0; index < word.length; index += 1)
    shifted += String.fromCharCode(((word.charCodeAt(index) - 97 + shift) % 26) + 97);
  return shifted;
}

/** A lower-case word under atbash: a↔z, b↔y… */
export function atbashWord(word: string): string {
  let mirrored = "";
  for (let index = 0; index < word.length; index += 1)
    mirrored += String.fromCharCode(219 - word.charCodeAt(index));
  return mirrored;
}

/**
 * A hash → values table with a 64 Kibit presence filter in front, so that most
 * look-ups cost one bit test (`mayHold`) and never reach the map.
 */
export class HashTable<Value> {
  /** One bit per value of the top 16 bits of a hash: set when some entry has them. */
  readonly bits = new Uint32Array(2048);
  readonly #entries = new Map<number, Value[]>();

  /** Adds `value` under `hash`. */
  add(hash: number, value: Value): void {
    const slot = hash >>> 16;
    this.bits[slot >>> 5] = (this.bits[slot >>> 5] ?? 0) | (1 << (slot & 31));
    const entries = this.#entries.get(hash);
    if (entries) entries.push(value);
    else this.#entries.set(hash, [value]);
  }

  /** The values under `hash`, or undefined. */
  get(hash: number): readonly Value[] | undefined {
    return mayHold(this.bits, hash) ? this.#entries.get(hash) : undefined;
  }
}

/** False when no entry of the table whose filter is `bits` has `hash`: the fast path. */
export function mayHold(bits: Uint32Array, hash: number): boolean {
  const slot = hash >>> 16;
  return (((bits[slot >>> 5] ?? 0) >>> (slot & 31)) & 1) === 1;
}
