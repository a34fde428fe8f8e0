/**
 * The folded reading of a text (`foldHomoglyphs`), with what one pass over
 * its words finds: the keyword scan (`scanKeywords`) and the word gate's
 * marks. The text itself and its NFKC form differ from the folded reading in
 * a few places on ordinary prompts, so their gate selections are derived from
 * the same marks, looking up again only the tokens around those places.
 */
import { scanKeywords, type KeywordScan } from "./keyword-scan.ts";
import { collapseBlankRuns, foldUntilSpacing, joinSpacedLetters } from "./normalize.ts";
import { textWindows } from "./text-windows.ts";
import type { GateMarks, WordGate } from "./word-gate.ts";

/** A text folded, and what its words tell. */
export interface FoldedReading {
  /** The folded text (the text unchanged when folding is off). */
  text: string;
  /** What `scanKeywords` finds in `text`. */
  scan: KeywordScan;
  /** The word gate's marks of `text`. */
  marks: GateMarks;
  /**
   * The gate's selection for `text`, for the text it was folded from, or for
   * another text that differs from it in few places (the one before NFKC):
   * never less than `gate.select(reading)`.
   */
  select(reading: string): Uint8Array;
}

/**
 * Folds `plain` (when `fold`) and reads its words once. The fold's last two
 * steps, runs of blanks made one space and letters spelt out one by one
 * joined, run only where the scan saw what they change: runs of blanks leave
 * the words and tokens as they are (only misspellings move), and the rare
 * text whose letters are joined is scanned again.
 */
export function readFolded(plain: string, fold: boolean, gate: WordGate): FoldedReading {
  let text = plain;
  // Where `text` differs from `plain`, when the fold could tell.
  let windows: number[] | undefined = [];
  if (fold) ({ text, windows } = foldUntilSpacing(plain));
  let marker = gate.marker();
  let scan = scanKeywords(text, marker);
  if (fold && scan.blankRuns) {
    const collapsed = collapseBlankRuns(text);
    text = collapsed.text;
    windows = undefined;
    scan = {
      ...scan,
      misspellings: scan.misspellings.map(({ start, end, keyword }) => ({
        start: collapsed.moved(start),
        end: collapsed.moved(end),
        keyword,
      })),
    };
  }
  const joined = fold && scan.spacedLetters ? joinSpacedLetters(text) : text;
  if (joined !== text) {
    text = joined;
    windows = undefined;
    marker = gate.marker();
    scan = scanKeywords(text, marker);
  }
  const marks = marker.finish(text);
  const folded = text;
  const foldWindows = windows;
  return {
    text,
    scan,
    marks,
    select(reading) {
      if (reading === folded) return marks.selected;
      const around = reading === plain && foldWindows ? foldWindows : textWindows(folded, reading);
      return gate.selectAround(marks, reading, around);
    },
  };
}
