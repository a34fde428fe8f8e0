/**
 * The SQLite storage of the LedgerDO: the authority on every balance. D1 gets a
 * copy through the outbox, for reporting. Amounts are integer micros.
 */
export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS wallets (
  id TEXT PRIMARY KEY,
  scope TEXT NOT NULL CHECK (scope IN ('org', 'team', 'user')),
  owner_id TEXT NOT NULL,
  currency TEXT NOT NULL,
  balance INTEGER NOT NULL DEFAULT 0,
  held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  alert_thresholds TEXT NOT NULL DEFAULT '[]',
  alerts_fired TEXT NOT NULL DEFAULT '[]',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1,
  UNIQUE (scope, owner_id)
);
CREATE TABLE IF NOT EXISTS entries (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  wallet_id TEXT NOT NULL REFERENCES wallets (id),
  kind TEXT NOT NULL CHECK (kind IN ('allocation', 'topup', 'hold', 'settle', 'release', 'refund')),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  delta INTEGER NOT NULL,
  balance_after INTEGER NOT NULL,
  idempotency_key TEXT NOT NULL,
  hold_id TEXT,
  request_id TEXT,
  ticket_id TEXT,
  actor TEXT,
  detail TEXT,
  created_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS entries_idempotency ON entries (idempotency_key);
CREATE INDEX IF NOT EXISTS entries_wallet ON entries (wallet_id, seq);
CREATE TABLE IF NOT EXISTS holds (
  id TEXT PRIMARY KEY,
  wallet_id TEXT REFERENCES wallets (id),
  amount INTEGER NOT NULL CHECK (amount >= 0),
  overdraft INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL CHECK (status IN ('held', 'settled', 'released', 'expired')),
  team_id TEXT,
  user_id TEXT,
  key_id TEXT,
  model TEXT NOT NULL,
  currency TEXT NOT NULL,
  priced INTEGER NOT NULL,
  counters TEXT NOT NULL DEFAULT '[]',
  ticket_id TEXT,
  cost INTEGER,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  closed_at INTEGER
);
CREATE INDEX IF NOT EXISTS holds_open ON holds (expires_at) WHERE status = 'held';
CREATE TABLE IF NOT EXISTS counters (
  id TEXT PRIMARY KEY,
  spent INTEGER NOT NULL DEFAULT 0 CHECK (spent >= 0),
  held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
  updated_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tickets (
  id TEXT PRIMARY KEY,
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'funded', 'denied', 'used')),
  scope TEXT NOT NULL,
  wallet_id TEXT NOT NULL REFERENCES wallets (id),
  team_id TEXT,
  user_id TEXT,
  key_id TEXT,
  model TEXT NOT NULL,
  request_id TEXT NOT NULL,
  amount INTEGER NOT NULL,
  available INTEGER NOT NULL,
  currency TEXT NOT NULL,
  overdraft_limit INTEGER NOT NULL DEFAULT 0 CHECK (overdraft_limit >= 0),
  note TEXT,
  decided_by TEXT,
  decided_at INTEGER,
  used_request_id TEXT,
  used_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  version INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS tickets_pending ON tickets (wallet_id, key_id, user_id)
  WHERE status = 'pending';
CREATE TABLE IF NOT EXISTS outbox (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL
);
`;
