/**
 * Small statistics for noisy shared machines: medians over repetitions, and
 * deltas paired within a repetition (both sides measured minutes apart at most).
 */

/** The q-quantile (0..1) of an ascending array, linearly interpolated; NaN when empty. */
export function percentile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const low = Math.floor(position);
  const high = Math.ceil(position);
  const lowValue = sorted[low] ?? Number.NaN;
  const highValue = sorted[high] ?? lowValue;
  return lowValue + (highValue - lowValue) * (position - low);
}

/** Sorts a copy ascending. */
export function sortedCopy(values: readonly number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** The median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  return percentile(sortedCopy(values.filter(Number.isFinite)), 0.5);
}

/** Median with the smallest and largest value, to show the spread across reps. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** The median and range of the finite values. */
export function spread(values: readonly number[]): Spread {
  const finite = sortedCopy(values.filter(Number.isFinite));
  return {
    median: percentile(finite, 0.5),
    min: finite[0] ?? Number.NaN,
    max: finite[finite.length - 1] ?? Number.NaN,
  };
}

/** Per-rep differences `a[i] - b[i]`, skipping reps where either side is missing. */
export function pairedDeltas(a: readonly number[], b: readonly number[]): number[] {
  return a.flatMap((value, index) => {
    const other = b[index];
    return other === undefined || !Number.isFinite(value) || !Number.isFinite(other)
      ? []
      : [value - other];
  });
}

/** Per-rep ratios `a[i] / b[i]`, skipping reps where either side is missing or zero. */
export function pairedRatios(a: readonly number[], b: readonly number[]): number[] {
  return a.flatMap((value, index) => {
    const other = b[index];
    return other === undefined || !other || !Number.isFinite(value) ? [] : [value / other];
  });
}

/** Formats a number with a fixed count of decimals, or `–` when it is not finite. */
export function fixed(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : "–";
}

/** Formats a spread as `median (min…max)`. */
export function formatSpread(value: Spread, decimals: number): string {
  if (!Number.isFinite(value.median)) return "–";
  if (value.min === value.max) return fixed(value.median, decimals);
  return `${fixed(value.median, decimals)} (${fixed(value.min, decimals)}…${fixed(value.max, decimals)})`;
}
