import type {
  EntryKind,
  JsonValue,
  EntryView,
  TicketView,
  WalletRef,
  WalletScope,
  WalletView,
} from "./ledger-model.ts";

/** A wallet row of the DO's SQLite (thresholds as JSON text). */
export interface WalletRow extends Record<string, SqlStorageValue> {
  id: string;
  scope: WalletScope;
  owner_id: string;
  currency: string;
  balance: number;
  held: number;
  alert_thresholds: string;
  alerts_fired: string;
  created_at: number;
  updated_at: number;
  version: number;
}

/** An entry row of the DO's SQLite (detail as JSON text). */
export interface EntryRow extends Record<string, SqlStorageValue> {
  seq: number;
  wallet_id: string;
  kind: EntryKind;
  amount: number;
  delta: number;
  balance_after: number;
  idempotency_key: string;
  hold_id: string | null;
  request_id: string | null;
  ticket_id: string | null;
  actor: string | null;
  detail: string | null;
  created_at: number;
}

/** A ticket row of the DO's SQLite: the ticket as the API shows it, plus its row version. */
export type TicketRow = TicketView & { version: number } & Record<string, SqlStorageValue>;

/** A posting: one entry and what it does to its wallet. */
export interface Posting {
  kind: EntryKind;
  amount: number;
  /** Change to the wallet's spendable balance. */
  delta: number;
  /** Change to what open holds reserve on the wallet. */
  heldDelta: number;
  idempotencyKey: string;
  holdId?: string | null;
  requestId?: string | null;
  ticketId?: string | null;
  actor?: string | null;
  detail?: { [key: string]: JsonValue } | null;
}

/** Thrown inside a transaction when a posting would break an invariant: the transaction rolls back. */
export class LedgerInvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LedgerInvariantError";
  }
}

/** The public shape of a wallet row. */
export function walletView(row: WalletRow): WalletView {
  return {
    id: row.id,
    scope: row.scope,
    owner_id: row.owner_id,
    currency: row.currency,
    balance: row.balance,
    held: row.held,
    alert_thresholds: JSON.parse(row.alert_thresholds) as number[],
    alerts_fired: JSON.parse(row.alerts_fired) as number[],
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The public shape of an entry row. */
export function entryView(row: EntryRow): EntryView {
  return {
    ...row,
    detail: row.detail === null ? null : (JSON.parse(row.detail) as { [key: string]: JsonValue }),
  };
}

/** The public shape of a ticket row. */
export function ticketView(row: TicketRow): TicketView {
  const { version: _version, ...view } = row;
  return view;
}

/**
 * Reads and writes of the ledger's tables. Every write method is meant to run
 * inside the caller's `transactionSync`, so a money move is all or nothing; each
 * change also lands in the outbox, from which D1 gets its copy.
 */
export class LedgerStore {
  readonly sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.sql = sql;
  }

  /** A value of the `meta` table (`org_id`, `currency`). */
  meta(key: string): string | undefined {
    return this.sql
      .exec<{ value: string }>("SELECT value FROM meta WHERE key = ?", key)
      .toArray()[0]?.value;
  }

  /** Sets a `meta` value. */
  setMeta(key: string, value: string): void {
    this.sql.exec(
      "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      key,
      value,
    );
  }

  /** True once the org has any wallet: from then on requests are limited by their balances. */
  metered(): boolean {
    return this.sql.exec("SELECT 1 FROM wallets LIMIT 1").toArray().length > 0;
  }

  /** A wallet by id. */
  wallet(id: string): WalletRow | undefined {
    return this.sql.exec<WalletRow>("SELECT * FROM wallets WHERE id = ?", id).toArray()[0];
  }

  /** A wallet by its level and owner. */
  walletFor(ref: WalletRef): WalletRow | undefined {
    return this.sql
      .exec<WalletRow>(
        "SELECT * FROM wallets WHERE scope = ? AND owner_id = ?",
        ref.scope,
        ref.ownerId,
      )
      .toArray()[0];
  }

  /** Every wallet, org first, then teams and users. */
  wallets(): WalletRow[] {
    return this.sql
      .exec<WalletRow>(
        "SELECT * FROM wallets ORDER BY CASE scope WHEN 'org' THEN 0 WHEN 'team' THEN 1 ELSE 2 END, owner_id",
      )
      .toArray();
  }

  /** The wallet of `ref`, created empty in `currency` when the org has none yet. */
  ensureWallet(ref: WalletRef, currency: string, now: number): WalletRow {
    const existing = this.walletFor(ref);
    if (existing) return existing;
    const id = `wal_${crypto.randomUUID().replaceAll("-", "")}`;
    this.sql.exec(
      "INSERT INTO wallets (id, scope, owner_id, currency, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
      id,
      ref.scope,
      ref.ownerId,
      currency,
      now,
      now,
    );
    const created = this.wallet(id);
    if (!created) throw new LedgerInvariantError("a wallet just created cannot be read");
    this.outbox("wallet", { ...walletView(created), version: created.version });
    return created;
  }

  /** The entry written under an idempotency key, if any. */
  entryByKey(key: string): EntryRow | undefined {
    return this.sql
      .exec<EntryRow>("SELECT * FROM entries WHERE idempotency_key = ?", key)
      .toArray()[0];
  }

  /**
   * Applies a posting to a wallet: checks that its balance stays at or above
   * `floor` (0 unless an approved cost ticket allows an overdraft) and that holds
   * never go negative, updates the wallet, appends the entry with the balance
   * after it, and fires the alert thresholds it crosses (once per crossing). Throws
   * {@link LedgerInvariantError} (rolling the transaction back) otherwise.
   */
  post(wallet: WalletRow, posting: Posting, now: number, floor = 0): WalletRow {
    const balance = wallet.balance + posting.delta;
    const held = wallet.held + posting.heldDelta;
    if (posting.delta < 0 && balance < floor)
      throw new LedgerInvariantError(`wallet ${wallet.id} would go below ${floor}: ${balance}`);
    if (held < 0) throw new LedgerInvariantError(`wallet ${wallet.id} would hold ${held}`);
    // Alerts follow what is left once open holds are settled (balance + held), so a
    // hold placed and released around a threshold does not alert on every request.
    const left = balance + held;
    const thresholds = JSON.parse(wallet.alert_thresholds) as number[];
    const fired = new Set(JSON.parse(wallet.alerts_fired) as number[]);
    for (const threshold of thresholds) {
      if (left < threshold && !fired.has(threshold)) {
        fired.add(threshold);
        this.alert(wallet, threshold, left, now);
      } else if (left >= threshold) fired.delete(threshold);
    }
    const version = wallet.version + 1;
    this.sql.exec(
      "UPDATE wallets SET balance = ?, held = ?, alerts_fired = ?, updated_at = ?, version = ? WHERE id = ?",
      balance,
      held,
      JSON.stringify([...fired].sort((a, b) => a - b)),
      now,
      version,
      wallet.id,
    );
    this.sql.exec(
      "INSERT INTO entries (wallet_id, kind, amount, delta, balance_after, idempotency_key, hold_id, request_id, ticket_id, actor, detail, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      wallet.id,
      posting.kind,
      posting.amount,
      posting.delta,
      balance,
      posting.idempotencyKey,
      posting.holdId ?? null,
      posting.requestId ?? null,
      posting.ticketId ?? null,
      posting.actor ?? null,
      posting.detail ? JSON.stringify(posting.detail) : null,
      now,
    );
    const entry = this.entryByKey(posting.idempotencyKey);
    const updated = this.wallet(wallet.id);
    if (!entry || !updated) throw new LedgerInvariantError("a posting just written cannot be read");
    this.outbox("entry", entryView(entry));
    this.outbox("wallet", { ...walletView(updated), version: updated.version });
    return updated;
  }

  /** Replaces a wallet's alert thresholds; those already crossed fire now. */
  setThresholds(wallet: WalletRow, thresholds: number[], now: number): WalletRow {
    const sorted = [...new Set(thresholds)].sort((a, b) => a - b);
    const before = new Set(JSON.parse(wallet.alerts_fired) as number[]);
    const left = wallet.balance + wallet.held;
    const fired = sorted.filter((threshold) => left < threshold);
    for (const threshold of fired)
      if (!before.has(threshold)) this.alert(wallet, threshold, left, now);
    this.sql.exec(
      "UPDATE wallets SET alert_thresholds = ?, alerts_fired = ?, updated_at = ?, version = version + 1 WHERE id = ?",
      JSON.stringify(sorted),
      JSON.stringify(fired),
      now,
      wallet.id,
    );
    const updated = this.wallet(wallet.id);
    if (!updated) throw new LedgerInvariantError("a wallet just updated cannot be read");
    this.outbox("wallet", { ...walletView(updated), version: updated.version });
    return updated;
  }

  private alert(wallet: WalletRow, threshold: number, balance: number, now: number): void {
    const alert = {
      id: `alr_${crypto.randomUUID().replaceAll("-", "")}`,
      wallet_id: wallet.id,
      scope: wallet.scope,
      owner_id: wallet.owner_id,
      threshold,
      balance,
      currency: wallet.currency,
      created_at: now,
    };
    console.log(JSON.stringify({ level: "warn", event: "wallet.threshold_crossed", ...alert }));
    this.outbox("alert", alert);
  }

  /** Adds to a spend counter (a key's day, a session): what is spent and what is held. */
  count(id: string, spent: number, held: number, now: number): void {
    const updated = this.sql.exec(
      "UPDATE counters SET spent = spent + ?, held = held + ?, updated_at = ? WHERE id = ?",
      spent,
      held,
      now,
      id,
    ).rowsWritten;
    if (updated === 0)
      this.sql.exec(
        "INSERT INTO counters (id, spent, held, updated_at) VALUES (?, ?, ?, ?)",
        id,
        spent,
        held,
        now,
      );
  }

  /** A spend counter: spent and held so far. */
  counter(id: string): { spent: number; held: number } {
    return (
      this.sql
        .exec<{ spent: number; held: number }>("SELECT spent, held FROM counters WHERE id = ?", id)
        .toArray()[0] ?? { spent: 0, held: 0 }
    );
  }

  /** A ticket by id. */
  ticket(id: string): TicketRow | undefined {
    return this.sql.exec<TicketRow>("SELECT * FROM tickets WHERE id = ?", id).toArray()[0];
  }

  /** Queues a record for the D1 copy. */
  outbox(kind: "wallet" | "entry" | "usage" | "ticket" | "alert", payload: object): void {
    this.sql.exec(
      "INSERT INTO outbox (kind, payload) VALUES (?, ?)",
      kind,
      JSON.stringify(payload),
    );
  }
}
