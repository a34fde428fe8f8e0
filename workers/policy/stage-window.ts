import type { OutputScanner, OutputVerdict, TextEdit } from "./policy.ts";
import type { Finding } from "./types.ts";

/** What a window lets through after one delta. */
export interface WindowStep {
  /** Text safe to send now (already redacted). */
  release: string;
  findings: Finding[];
  /** Set when an output policy blocked: nothing more may be sent. */
  blocked?: OutputVerdict;
}

interface Place {
  start?: number;
  end?: number;
}

/**
 * Moves `cut` back before any finding or edit that straddles it, but not below
 * `floor` (what was sent already cannot be taken back).
 */
function cutBefore(cut: number, floor: number, places: readonly (readonly Place[])[]): number {
  let end = cut;
  for (let moved = true; moved;) {
    moved = false;
    for (const list of places) {
      for (const place of list) {
        if (place.start === undefined || place.end === undefined) continue;
        if (place.start < end && place.end > end) {
          const before = Math.max(place.start, floor);
          if (before < end) {
            end = before;
            moved = true;
          }
        }
      }
    }
  }
  return end;
}

/**
 * The judged text between `from` and `end` with the edits inside applied. An
 * edit that begins before `from` (in text sent already) still replaces the part
 * of it that was not sent.
 */
function render(text: string, from: number, end: number, edits: readonly TextEdit[]): string {
  let out = "";
  let position = from;
  for (const edit of edits) {
    if (edit.end <= from) continue;
    if (edit.start >= end) break;
    out += text.slice(position, Math.max(edit.start, from)) + edit.text;
    position = Math.min(edit.end, end);
  }
  return out + text.slice(position, end);
}

/** The findings that lie (at least partly) in `[from, end)`, placed in the stream's characters. */
function placed(findings: readonly Finding[], from: number, end: number, offset: number) {
  const shift = offset - from;
  const kept: Finding[] = [];
  for (const finding of findings) {
    if (finding.start === undefined || finding.end === undefined) {
      kept.push(finding);
    } else if (finding.end > from && finding.start < end) {
      kept.push({ ...finding, start: finding.start + shift, end: finding.end + shift });
    }
  }
  return kept;
}

/**
 * The holdback window of one scanner over one streamed choice. It holds the
 * tail the scanner's `holdback` names, and keeps the last `context` characters
 * it sent in front of it, so one scan of context and held text judges a value
 * as the whole answer would, even when its label was sent chunks earlier. The
 * head it releases comes out of that same scan (its `edits`); a delta that
 * leaves nothing to release costs no scan at all.
 */
export class StageWindow {
  /** Sent text kept as context, then the held text, which begins at `from`. */
  private text = "";
  private from = 0;
  private released = 0;

  private readonly scanner: OutputScanner;
  private readonly choiceIndex: number;
  private readonly keep: number;

  constructor(scanner: OutputScanner, choiceIndex: number) {
    this.scanner = scanner;
    this.choiceIndex = choiceIndex;
    this.keep = scanner.context ?? 0;
  }

  /** Adds a delta; returns what may be sent now. */
  push(delta: string): WindowStep {
    this.text += delta;
    const length = this.text.length - this.from;
    const held = this.scanner.holdback(this.from === 0 ? this.text : this.text.slice(this.from));
    if (held >= length) return { release: "", findings: [] };
    return this.release(length - held);
  }

  /** Ends the stream with a last delta (or none): releases everything still held. */
  flush(last = ""): WindowStep {
    this.text += last;
    const length = this.text.length - this.from;
    if (length === 0) return { release: "", findings: [] };
    return this.release(length);
  }

  private release(cut: number): WindowStep {
    const { text, from } = this;
    const verdict = this.scanner.scan(text, this.choiceIndex, from);
    if (verdict.action === "block") {
      const findings = placed(verdict.findings, from, text.length, this.released);
      return { release: "", findings, blocked: verdict };
    }
    const end = cutBefore(from + cut, from, [verdict.findings, verdict.edits ?? []]);
    if (end <= from) return { release: "", findings: [] };
    if (verdict.edits === undefined && verdict.text !== text) return this.rescan(end - from);
    const release = verdict.edits ? render(text, from, end, verdict.edits) : text.slice(from, end);
    const findings = placed(verdict.findings, from, end, this.released);
    this.advance(end - from);
    return { release, findings };
  }

  /** For a scanner that rewrites without naming its edits: the head is scanned again, alone. */
  private rescan(length: number): WindowStep {
    const head = this.text.slice(this.from, this.from + length);
    const verdict = this.scanner.scan(head, this.choiceIndex);
    if (verdict.action === "block") return { release: "", findings: [], blocked: verdict };
    const findings = placed(verdict.findings, 0, length, this.released);
    this.advance(length);
    return { release: verdict.text, findings };
  }

  /** Marks `length` held characters sent; drops context beyond `keep` (in batches, not every time). */
  private advance(length: number): void {
    this.from += length;
    this.released += length;
    if (this.from > 2 * this.keep) {
      const start = this.from - this.keep;
      this.text = this.text.slice(start);
      this.from -= start;
    }
  }
}
