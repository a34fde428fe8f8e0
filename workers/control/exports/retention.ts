/** Days an event is kept when its audit logger named no `retention_days`. */
export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 86_400_000;

/** What one retention run did. */
export interface RetentionReport {
  deleted: number;
  scrubbed: number;
  prunedLinks: number;
  expiredExports: number;
  /** True when a bound stopped the run with work left (the next run continues). */
  more: boolean;
}

/**
 * The expired events: older than their own `retention_days` (default 90). A
 * chain's newest event stays (the next event of that gateway hashes onto it), so
 * it is only scrubbed of its content until a newer one arrives.
 */
const EXPIRED = `expired.created_at < ?1 - ${DAY_MS}
  AND expired.created_at < ?1 - COALESCE(expired.retention_days, ${DEFAULT_RETENTION_DAYS}) * ${DAY_MS}
  AND (expired.chain_id IS NULL OR expired.sequence < (
    SELECT MAX(later.sequence) FROM decision_events AS later WHERE later.chain_id = expired.chain_id))`;

const TAIL_EXPIRED = `created_at < ?1 - ${DAY_MS}
  AND created_at < ?1 - COALESCE(retention_days, ${DEFAULT_RETENTION_DAYS}) * ${DAY_MS}
  AND content IS NOT NULL`;

/**
 * The scheduled retention job. Deletes expired decision events in bounded
 * batches, oldest first; each deletion leaves a hash-only link (chain, sequence,
 * prev_hash, hash) so exports can still follow a chain across a gap, in the same
 * D1 batch (one transaction). Links before a chain's first remaining event are
 * pruned: verification starts from the first exported item's prev_hash anyway.
 * Expired exports (their pinned queries) are dropped too.
 */
export async function applyRetention(
  database: D1Database,
  now = Date.now(),
  bounds: { batchSize?: number; maxBatches?: number } = {},
): Promise<RetentionReport> {
  const batchSize = bounds.batchSize ?? 500;
  const maxBatches = bounds.maxBatches ?? 40;
  const report: RetentionReport = {
    deleted: 0,
    scrubbed: 0,
    prunedLinks: 0,
    expiredExports: 0,
    more: false,
  };
  const picked = `SELECT expired.request_id FROM decision_events AS expired
    WHERE ${EXPIRED} ORDER BY expired.created_at, expired.request_id LIMIT ?2`;
  for (let batch = 0; ; batch += 1) {
    if (batch === maxBatches) {
      report.more = true;
      break;
    }
    const [, deleted] = await database.batch([
      database
        .prepare(
          `INSERT OR IGNORE INTO event_chain_links (chain_id, sequence, org_id, prev_hash, hash, deleted_at)
           SELECT chain_id, sequence, org_id, prev_hash, hash, ?1 FROM decision_events
           WHERE request_id IN (${picked}) AND chain_id IS NOT NULL AND hash IS NOT NULL`,
        )
        .bind(now, batchSize),
      database
        .prepare(`DELETE FROM decision_events WHERE request_id IN (${picked})`)
        .bind(now, batchSize),
    ]);
    const count = deleted?.meta.changes ?? 0;
    report.deleted += count;
    if (count < batchSize) break;
  }
  const scrubbed = await database
    .prepare(`UPDATE decision_events SET content = NULL WHERE ${TAIL_EXPIRED}`)
    .bind(now)
    .run();
  report.scrubbed = scrubbed.meta.changes ?? 0;
  for (let batch = 0; batch < maxBatches; batch += 1) {
    const pruned = await database
      .prepare(
        `DELETE FROM event_chain_links WHERE rowid IN (
           SELECT link.rowid FROM event_chain_links AS link
           WHERE link.sequence < COALESCE(
             (SELECT MIN(live.sequence) FROM decision_events AS live WHERE live.chain_id = link.chain_id),
             link.sequence + 1)
           LIMIT ?1)`,
      )
      .bind(batchSize)
      .run();
    const count = pruned.meta.changes ?? 0;
    report.prunedLinks += count;
    if (count < batchSize) break;
    if (batch === maxBatches - 1) report.more = true;
  }
  const exports = await database
    .prepare("DELETE FROM event_exports WHERE expires_at < ?1")
    .bind(now)
    .run();
  report.expiredExports = exports.meta.changes ?? 0;
  return report;
}
