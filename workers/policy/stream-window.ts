import type { OutputScanner, OutputVerdict } from "./policy.ts";
import type { Finding } from "./types.ts";

/** What the window lets through after one delta. */
export interface WindowStep {
  /** Text safe to send now (already redacted). */
  release: string;
  findings: Finding[];
  /** Set when an output policy blocked: nothing more may be sent. */
  blocked?: OutputVerdict;
}

/**
 * The holdback window of one streamed choice. Text is released as soon as no
 * policy could still match across its end: the scanner's `holdback` names the
 * risky tail, and a match that straddles the cut moves the cut before it. So a
 * value split over several chunks is redacted whole, while ordinary prose flows
 * with at most a word of delay.
 */
export class StreamWindow {
  private buffer = "";
  private released = 0;

  private readonly scanner: OutputScanner;
  private readonly choiceIndex: number;

  constructor(scanner: OutputScanner, choiceIndex: number) {
    this.scanner = scanner;
    this.choiceIndex = choiceIndex;
  }

  /** Adds a delta; returns what may be sent now. */
  push(delta: string): WindowStep {
    this.buffer += delta;
    const whole = this.scanner.scan(this.buffer, this.choiceIndex);
    if (whole.action === "block") return { release: "", findings: whole.findings, blocked: whole };
    let cut = this.buffer.length - this.scanner.holdback(this.buffer);
    for (const finding of whole.findings) {
      if (finding.start !== undefined && finding.end !== undefined) {
        if (finding.start < cut && finding.end > cut) cut = finding.start;
      }
    }
    if (cut <= 0) return { release: "", findings: [] };
    return this.emit(cut);
  }

  /** Ends the stream: releases everything still held, scanned as a whole. */
  flush(): WindowStep {
    if (this.buffer.length === 0) return { release: "", findings: [] };
    const verdict = this.scanner.scan(this.buffer, this.choiceIndex);
    if (verdict.action === "block")
      return { release: "", findings: verdict.findings, blocked: verdict };
    return this.emit(this.buffer.length);
  }

  private emit(cut: number): WindowStep {
    const head = this.buffer.slice(0, cut);
    const verdict = this.scanner.scan(head, this.choiceIndex);
    if (verdict.action === "block")
      return { release: "", findings: verdict.findings, blocked: verdict };
    const offset = this.released;
    this.buffer = this.buffer.slice(cut);
    this.released += cut;
    const findings = verdict.findings.map((finding) => ({
      ...finding,
      ...(finding.start !== undefined ? { start: finding.start + offset } : {}),
      ...(finding.end !== undefined ? { end: finding.end + offset } : {}),
    }));
    return { release: verdict.text, findings };
  }
}
