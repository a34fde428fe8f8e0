/**
 * Recognises English enciphered by a letter shift or by atbash from its letter
 * counts alone, the classic way: the shift that turns the counts back into
 * English letter frequencies (least chi-squared) wins. Catches ciphertext that
 * holds no attack keyword long enough to be spotted word by word
 * (`Tfca bck cb mci'fs GHOB`). Constant time given the 26 counts.
 */

/** Share of each letter a–z in English text. */
const ENGLISH = [
  0.082, 0.015, 0.028, 0.043, 0.127, 0.022, 0.02, 0.061, 0.07, 0.0015, 0.0077, 0.04, 0.024, 0.067,
  0.075, 0.019, 0.00095, 0.06, 0.063, 0.091, 0.028, 0.0098, 0.024, 0.0015, 0.02, 0.00074,
];
/** Fewest letters to judge by: shorter texts have too noisy a profile. */
const MIN_LETTERS = 40;
/** How much better than the text as it is a reading must fit English to count. */
const MARGIN = 4;
/** Worst fit, per letter, still taken for English. */
const ENGLISH_FIT = 1;

/**
 * Chi-squared distance from English of the counts read back through a shift
 * (the letter `p` was written as `p + shift`) or, with `mirrored`, through atbash.
 */
function misfit(counts: Int32Array, total: number, shift: number, mirrored: boolean): number {
  let sum = 0;
  for (let letter = 0; letter < 26; letter += 1) {
    const written = mirrored ? 25 - letter : (letter + shift) % 26;
    const expected = total * (ENGLISH[letter] ?? 0);
    const difference = (counts[written] ?? 0) - expected;
    sum += (difference * difference) / expected;
  }
  return sum;
}

/** What the letter counts say the text is. */
export interface CipherGuess {
  /** The shift (1–25) that reads the text as English, or 0. */
  shift: number;
  /** Atbash reads the text as English. */
  atbash: boolean;
}

/**
 * The cipher under which counts of the letters a–z fit English far better than
 * they do as they are, if any. Ordinary English, code and other languages fit
 * best as they are, or fit nothing well: no cipher.
 */
export function guessCipher(counts: Int32Array): CipherGuess {
  let total = 0;
  for (let letter = 0; letter < 26; letter += 1) total += counts[letter] ?? 0;
  if (total < MIN_LETTERS) return { shift: 0, atbash: false };
  const asIs = misfit(counts, total, 0, false);
  // Text that already reads as English cannot read four times better otherwise: done.
  if (asIs < ENGLISH_FIT * MARGIN * 0.1 * total) return { shift: 0, atbash: false };
  const fits = (score: number) => score * MARGIN < asIs && score < ENGLISH_FIT * total;
  let shift = 0;
  let best = Infinity;
  for (let candidate = 1; candidate < 26; candidate += 1) {
    const score = misfit(counts, total, candidate, false);
    if (score < best) {
      best = score;
      shift = candidate;
    }
  }
  const mirrored = misfit(counts, total, 0, true);
  if (fits(mirrored) && mirrored < best) return { shift: 0, atbash: true };
  return fits(best) ? { shift, atbash: false } : { shift: 0, atbash: false };
}
