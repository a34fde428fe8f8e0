/**
 * Where a text differs from the text it was derived from: the readings of
 * prompt-injection (folded look-alikes, leetspeak, joiners) change a few
 * characters of a prompt and leave the rest as it was, so the word gate need
 * only look up the tokens around the changes (`WordGate.selectAround`).
 */

/**
 * The windows of `text` where it differs from `base`, as `[start, end, start,
 * end…]` in `text`'s positions, in order (a window may be empty: characters of
 * `base` left out there). Outside the windows, `text` is `base` character for
 * character, in order, and the two start and end together unless a window
 * says otherwise. Lines are compared position by position when they are as
 * long in both texts, else their ends are matched from the back. Linear: each
 * line is read at most twice.
 */
export function textWindows(base: string, text: string): number[] {
  const windows: number[] = [];
  const baseLength = base.length;
  const length = text.length;
  let baseIndex = 0;
  let index = 0;
  // Where the current line of each text ends (the next `\n` or the end), found once per line.
  let baseLineEnd = -1;
  let lineEnd = -1;
  while (baseIndex < baseLength && index < length) {
    if (base.charCodeAt(baseIndex) === text.charCodeAt(index)) {
      baseIndex += 1;
      index += 1;
      continue;
    }
    if (baseLineEnd < baseIndex) {
      baseLineEnd = base.indexOf("\n", baseIndex);
      if (baseLineEnd < 0) baseLineEnd = baseLength;
    }
    if (lineEnd < index) {
      lineEnd = text.indexOf("\n", index);
      if (lineEnd < 0) lineEnd = length;
    }
    const start = index;
    if (baseLineEnd - baseIndex === lineEnd - index) {
      while (index < lineEnd && base.charCodeAt(baseIndex) !== text.charCodeAt(index)) {
        baseIndex += 1;
        index += 1;
      }
      windows.push(start, index);
      continue;
    }
    const room = Math.min(baseLineEnd - baseIndex, lineEnd - index);
    let same = 0;
    while (
      same < room &&
      base.charCodeAt(baseLineEnd - 1 - same) === text.charCodeAt(lineEnd - 1 - same)
    )
      same += 1;
    baseIndex = baseLineEnd - same;
    index = lineEnd - same;
    windows.push(start, index);
  }
  if (baseIndex < baseLength || index < length) windows.push(index, length);
  return windows;
}
