import type { OutputScanner } from "./policy.ts";
import { StageWindow, type WindowStep } from "./stage-window.ts";
import type { Finding } from "./types.ts";

export type { WindowStep } from "./stage-window.ts";

/**
 * The holdback window of one streamed choice. Text is released as soon as no
 * policy could still match across its end: the scanner's `holdback` names the
 * risky tail, and a match that straddles the cut moves the cut before it. So a
 * value split over several chunks is redacted whole, while ordinary prose flows
 * with at most a word of delay. A composed scanner gets a window per stage, each
 * fed what the one before released, so the stream ends up exactly as the
 * composed scan of the whole answer would.
 */
export class StreamWindow {
  private readonly stages: readonly StageWindow[];

  constructor(scanner: OutputScanner, choiceIndex: number) {
    this.stages = (scanner.stages ?? [scanner]).map((stage) => new StageWindow(stage, choiceIndex));
  }

  /** Adds a delta; returns what may be sent now. */
  push(delta: string): WindowStep {
    return this.run(delta, false);
  }

  /** Ends the stream: releases everything still held, through every stage. */
  flush(): WindowStep {
    return this.run("", true);
  }

  private run(delta: string, end: boolean): WindowStep {
    let text = delta;
    const findings: Finding[] = [];
    for (const stage of this.stages) {
      if (!end && text === "") break;
      const step = end ? stage.flush(text) : stage.push(text);
      findings.push(...step.findings);
      if (step.blocked) return { release: "", findings, blocked: step.blocked };
      text = step.release;
    }
    return { release: text, findings };
  }
}
