/**
 * The UTF-16 code units of a text in a typed array. A loop over a typed array
 * costs a third of one calling `charCodeAt` (which checks the string's
 * representation at every character), and an ASCII text is copied in with one
 * native call, so scanners that read every character read them from here.
 */

const encoder = new TextEncoder();
/** Texts up to this long reuse their buffer; longer ones get one of their own. */
const KEPT = 1 << 16;

/** A reusable buffer: the caller must be done with its units before the next `read`. */
export class TextUnits {
  #bytes = new Uint8Array(1024);
  #units = new Uint16Array(1024);

  /**
   * The code units of `text`, from index 0 to `text.length`, then a 0 (so a
   * scanner needs no test for the end), valid until the next call.
   */
  read(text: string): Uint16Array {
    const length = text.length;
    let bytes = this.#bytes;
    let units = this.#units;
    if (length >= units.length) {
      const size = Math.max(length + 1, units.length * 2);
      bytes = new Uint8Array(size);
      units = new Uint16Array(size);
      if (size <= KEPT) {
        this.#bytes = bytes;
        this.#units = units;
      }
    }
    // ASCII encodes to one byte per unit: widened in one copy.
    const { read, written } = encoder.encodeInto(text, bytes);
    if (read === length && written === length) units.set(bytes.subarray(0, length));
    else fill(units, text);
    units[length] = 0;
    return units;
  }
}

const SCRATCH = new Uint8Array(KEPT);
// eslint-disable-next-line no-control-regex -- the test is for anything outside ASCII
const NON_ASCII = /[^\u0000-\u007f]/;

/** Whether every character of `text` is ASCII: one native copy, faster than a regular expression's scan. */
export function isAscii(text: string): boolean {
  if (text.length > KEPT) return !NON_ASCII.test(text);
  const { read, written } = encoder.encodeInto(text, SCRATCH);
  return read === text.length && written === text.length;
}

function fill(units: Uint16Array, text: string): Uint16Array {
  for (let index = 0; index < text.length; index += 1) units[index] = text.charCodeAt(index);
  return units;
}
