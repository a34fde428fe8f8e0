import { mkdir, open, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";

/** Past this many bytes on disk the oldest batches are dropped (64 MiB). */
export const DEFAULT_SPOOL_BYTES = 64 * 1024 * 1024;

const SEGMENT = /^(\d{12})-(\d+)\.json$/;

interface Segment {
  file: string;
  count: number;
  bytes: number;
}

/** Some spooled events, oldest first, and the files to delete once they are delivered. */
export interface SpoolBatch {
  files: string[];
  events: unknown[];
}

/**
 * Decision events kept on disk while the control API cannot take them, so they
 * survive a restart. One file per spilled batch (`<sequence>-<count>.json`, written
 * to a temporary name and renamed, so a crash never leaves half a batch); read
 * back oldest first. Bounded: past `maxBytes` the oldest files are deleted and
 * their events counted as dropped, so a long outage costs the oldest events,
 * never the gateway's disk.
 */
export class EventSpool {
  readonly #folder: string;
  readonly #maxBytes: number;
  readonly #segments: Segment[];
  #next: number;
  #dropped = 0;

  private constructor(folder: string, maxBytes: number, segments: Segment[]) {
    this.#folder = folder;
    this.#maxBytes = maxBytes;
    this.#segments = segments;
    const last = segments.at(-1);
    this.#next = last ? Number(SEGMENT.exec(last.file)?.[1] ?? 0) + 1 : 1;
  }

  /** Opens (creating) the spool folder and finds what an earlier run left in it. */
  static async open(folder: string, maxBytes = DEFAULT_SPOOL_BYTES): Promise<EventSpool> {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const segments: Segment[] = [];
    for (const file of (await readdir(folder)).sort()) {
      const match = SEGMENT.exec(file);
      if (!match) {
        if (file.endsWith(".tmp")) await rm(path.join(folder, file), { force: true });
        continue;
      }
      const info = await stat(path.join(folder, file)).catch(() => undefined);
      if (info) segments.push({ file, count: Number(match[2]), bytes: info.size });
    }
    return new EventSpool(folder, maxBytes, segments);
  }

  /** Events waiting on disk. */
  get events(): number {
    return this.#segments.reduce((sum, segment) => sum + segment.count, 0);
  }

  /** Events deleted unsent because the spool was full, since this process started. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Writes events as one new file, then trims the oldest files past the bound. */
  async push(events: readonly unknown[]): Promise<void> {
    if (events.length === 0) return;
    const file = `${String(this.#next++).padStart(12, "0")}-${events.length}.json`;
    const text = JSON.stringify(events);
    const target = path.join(this.#folder, file);
    const handle = await open(`${target}.tmp`, "w", 0o600);
    try {
      await handle.writeFile(text, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(`${target}.tmp`, target);
    this.#segments.push({ file, count: events.length, bytes: Buffer.byteLength(text) });
    let total = this.#segments.reduce((sum, segment) => sum + segment.bytes, 0);
    while (total > this.#maxBytes && this.#segments.length > 1) {
      const oldest = this.#segments.shift() as Segment;
      total -= oldest.bytes;
      this.#dropped += oldest.count;
      await rm(path.join(this.#folder, oldest.file), { force: true });
    }
  }

  /**
   * The oldest files, whole, holding at most `maxEvents` events (at least one file).
   * A file that cannot be read back is deleted and counted as dropped.
   */
  async take(maxEvents: number): Promise<SpoolBatch | undefined> {
    const batch: SpoolBatch = { files: [], events: [] };
    for (const segment of [...this.#segments]) {
      if (batch.files.length > 0 && batch.events.length + segment.count > maxEvents) break;
      let events: unknown;
      try {
        events = JSON.parse(await readFile(path.join(this.#folder, segment.file), "utf8"));
      } catch {
        events = undefined;
      }
      if (!Array.isArray(events)) {
        await this.remove([segment.file]);
        this.#dropped += segment.count;
        continue;
      }
      batch.files.push(segment.file);
      batch.events.push(...(events as unknown[]));
    }
    return batch.files.length > 0 ? batch : undefined;
  }

  /** Deletes delivered files. */
  async remove(files: readonly string[]): Promise<void> {
    for (const file of files) {
      const index = this.#segments.findIndex((segment) => segment.file === file);
      if (index >= 0) this.#segments.splice(index, 1);
      await rm(path.join(this.#folder, file), { force: true });
    }
  }
}
