/** The SQLite storage of the EscalationDO: its tables and the statement that writes a row. */

/** The columns of the DO's `escalations` table, in the order they are written. */
export const COLUMNS = [
  "id",
  "org_id",
  "team_id",
  "user_id",
  "key_id",
  "request_id",
  "request_hash",
  "endpoint",
  "model",
  "policy",
  "reason_code",
  "reason",
  "config_name",
  "config_version",
  "config_hash",
  "request",
  "status",
  "claimed_by",
  "claimed_by_type",
  "claim_expires_at",
  "outcome",
  "note",
  "resolved_by",
  "resolved_at",
  "used_at",
  "used_request_id",
  "created_at",
  "updated_at",
  "version",
] as const;

/** The DO's own tables: the authority on every escalation, and its trail. */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS escalations (
  ${COLUMNS.map((column) => (column === "id" ? "id TEXT PRIMARY KEY" : column)).join(",\n  ")},
  mirrored_version INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS escalations_claimed ON escalations (claim_expires_at)
  WHERE status = 'claimed';
CREATE INDEX IF NOT EXISTS escalations_unmirrored ON escalations (id)
  WHERE mirrored_version < version;
CREATE TABLE IF NOT EXISTS trail (
  escalation_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (escalation_id, seq)
);`;

/** Writes a whole row, leaving `mirrored_version` as it is. */
export const UPSERT = `INSERT INTO escalations (${COLUMNS.join(", ")})
VALUES (${COLUMNS.map(() => "?").join(", ")})
ON CONFLICT (id) DO UPDATE SET ${COLUMNS.filter((column) => column !== "id")
  .map((column) => `${column} = excluded.${column}`)
  .join(", ")}`;
