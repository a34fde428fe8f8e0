/**
 * A small least-recently-used cache for verdicts keyed by the text they judged, so
 * a long conversation re-sent turn after turn is scanned once per message. Large
 * texts are not cached, which bounds the memory the keys can take.
 */
export class BoundedCache<Value> {
  private readonly entries = new Map<string, Value>();
  private readonly maxEntries: number;
  private readonly maxKeyLength: number;

  constructor(maxEntries = 1024, maxKeyLength = 32 * 1024) {
    this.maxEntries = maxEntries;
    this.maxKeyLength = maxKeyLength;
  }

  /** The cached value, or the computed one (cached when the key is small enough). */
  get(key: string, compute: () => Value): Value {
    if (key.length > this.maxKeyLength) return compute();
    const found = this.entries.get(key);
    if (found !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, found);
      return found;
    }
    const value = compute();
    this.entries.set(key, value);
    if (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
    return value;
  }
}
