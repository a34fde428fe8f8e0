/** How a redacted value is written back into the text. */
export type MarkerFormat = "label" | "mask" | "hash" | "redacted";

/** Small, fast, non-cryptographic hash (FNV-1a) so `hash` markers correlate without revealing. */
function fnv1a(value: string): string {
  let hash = 0x811c9dc5;
  for (let index = 0; index < value.length; index += 1) {
    hash ^= value.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, "0");
}

/** Builds the replacement text for one redacted value. */
export function marker(format: MarkerFormat, label: string, value: string): string {
  switch (format) {
    case "label":
      return `[${label}]`;
    case "mask":
      return "*".repeat(value.length);
    case "hash":
      return `[${label}:${fnv1a(value)}]`;
    case "redacted":
      return "[REDACTED]";
  }
}
