import type { Segment } from "../segments.ts";

/** Limits on what is joined: only short pieces, a few of them, are a payload split over messages. */
export interface RunLimits {
  /** The longest piece (characters) a run may hold. */
  piece: number;
  /** The most characters a run may hold in all. */
  total: number;
}

/** Consecutive segments of one role, by their index in the segment list. */
export interface SegmentRun {
  indexes: number[];
  text: string;
}

/**
 * Runs of two or more consecutive short segments of one scanned role, from
 * consecutive messages (or parts of one message), each joined with a space:
 * an attack sent one piece per message (`Ignore all` / `previous` /
 * `instructions`) reads whole only in the join. A long segment, another role
 * or a gap between messages ends a run.
 */
export function segmentRuns(
  segments: readonly Segment[],
  roles: ReadonlySet<string>,
  limits: RunLimits,
): SegmentRun[] {
  const runs: SegmentRun[] = [];
  let current: number[] = [];
  let length = 0;
  const flush = () => {
    if (current.length >= 2)
      runs.push({
        indexes: current,
        text: current.map((index) => segments[index]?.text ?? "").join(" "),
      });
    current = [];
    length = 0;
  };
  segments.forEach((segment, index) => {
    const joinable =
      roles.has(segment.role) &&
      (segment.field === "content" || segment.field.startsWith("content[")) &&
      segment.text.length <= limits.piece;
    if (!joinable) return flush();
    const previous = segments[current[current.length - 1] ?? -1];
    const follows =
      previous !== undefined &&
      previous.role === segment.role &&
      segment.messageIndex - previous.messageIndex <= 1;
    if (!follows || length + segment.text.length > limits.total) flush();
    current.push(index);
    length += segment.text.length + 1;
  });
  flush();
  return runs;
}
