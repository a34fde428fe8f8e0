/**
 * Which tokens of a text to look up again when the text differs from one
 * whose tokens were looked up already, in a few windows (`text-windows.ts`):
 * the stretches `WordGate.selectAround` scans.
 */
import { TOKEN_VALUE } from "./word-tokens.ts";

/** Whether the code unit at `index` is in an ASCII token. */
function inToken(units: Uint16Array, index: number): boolean {
  const code = units[index]!;
  return code < 128 && TOKEN_VALUE[code] !== 0;
}

/**
 * The stretches `[start, end]` of a text (its code units, `length` of them)
 * that hold every ASCII token touched by a window, every pair of consecutive
 * tokens one of which is touched, and no token in part. A token touches a
 * window that holds any of it or the character either side of it, or an
 * empty window at one of its ends; each stretch runs from the start of the
 * token before the first it touches to the end of the token after the last.
 * A token, or pair of consecutive tokens, outside the stretches is found with
 * the same characters either side in the text the windows were taken against.
 * Each walk only goes over text beyond the previous stretch: linear.
 */
export function tokenStretches(
  units: Uint16Array,
  length: number,
  windows: readonly number[],
): Array<[number, number]> {
  const stretches: Array<[number, number]> = [];
  // The current stretch, and where its last token starts.
  let stretch: [number, number] | undefined;
  let lastToken = 0;
  /** Moves the stretch's end past the gap after it and the token after that. */
  const oneMore = (current: [number, number]) => {
    let right = current[1];
    while (right < length && !inToken(units, right)) right += 1;
    lastToken = right;
    while (right < length && inToken(units, right)) right += 1;
    current[1] = right;
  };
  for (let at = 0; at + 1 < windows.length; at += 2) {
    const start = windows[at]!;
    const end = windows[at + 1]!;
    const fresh = !stretch || start > stretch[1];
    if (!stretch || fresh) {
      const reach = stretch ? stretch[1] : 0;
      let left = start;
      while (left > reach && inToken(units, left - 1)) left -= 1;
      while (left > reach && !inToken(units, left - 1)) left -= 1;
      while (left > reach && inToken(units, left - 1)) left -= 1;
      // A walk that reached the stretch before continues it.
      if (!stretch || left > reach) stretches.push((stretch = [left, left]));
    }
    if (fresh || end > stretch[1]) {
      // The token the window touches on the right, then one more.
      let right = Math.max(end, stretch[1]);
      while (right < length && inToken(units, right)) right += 1;
      stretch[1] = right;
      oneMore(stretch);
    } else if (end >= lastToken) {
      oneMore(stretch);
    }
  }
  return stretches;
}
