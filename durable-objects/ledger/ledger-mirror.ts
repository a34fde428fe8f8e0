import { sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { createDb, type Db } from "../../workers/db/client.ts";
import {
  costTickets,
  ledgerEntries,
  usageRecords,
  walletAlerts,
  wallets,
} from "../../workers/db/wallet-schema.ts";
import type { EntryView, TicketView, WalletView } from "./ledger-model.ts";
import type { LedgerStore } from "./ledger-store.ts";

/** One queued record of the outbox, parsed. */
export interface OutboxRecord {
  seq: number;
  kind: "wallet" | "entry" | "usage" | "ticket" | "alert";
  payload: Record<string, unknown>;
}

interface UsagePayload {
  request_id: string;
  org_id: string;
  day: string;
  team_id: string | null;
  user_id: string | null;
  key_id: string | null;
  provider: string;
  model: string;
  prompt_tokens: number;
  cached_tokens: number;
  completion_tokens: number;
  cost: number | null;
  charged: number;
  uncollected: number;
  currency: string;
  estimated: boolean;
  wallet_id: string | null;
  created_at: number;
}

interface AlertPayload {
  id: string;
  wallet_id: string;
  threshold: number;
  balance: number;
  currency: string;
  created_at: number;
}

function walletStatement(db: Db, orgId: string, wallet: WalletView & { version: number }) {
  const values = {
    id: wallet.id,
    orgId,
    scope: wallet.scope,
    ownerId: wallet.owner_id,
    currency: wallet.currency,
    balance: wallet.balance,
    held: wallet.held,
    alertThresholds: wallet.alert_thresholds,
    createdAt: wallet.created_at,
    updatedAt: wallet.updated_at,
    version: wallet.version,
  };
  const { id: _id, ...changes } = values;
  return db
    .insert(wallets)
    .values(values)
    .onConflictDoUpdate({
      target: wallets.id,
      set: changes,
      setWhere: sql`${wallets.version} < ${wallet.version}`,
    });
}

function ticketStatement(db: Db, orgId: string, ticket: TicketView & { version: number }) {
  const values = {
    id: ticket.id,
    orgId,
    status: ticket.status,
    scope: ticket.scope,
    walletId: ticket.wallet_id,
    teamId: ticket.team_id,
    userId: ticket.user_id,
    keyId: ticket.key_id,
    model: ticket.model,
    requestId: ticket.request_id,
    amount: ticket.amount,
    available: ticket.available,
    currency: ticket.currency,
    overdraftLimit: ticket.overdraft_limit,
    note: ticket.note,
    decidedBy: ticket.decided_by,
    decidedAt: ticket.decided_at,
    usedRequestId: ticket.used_request_id,
    usedAt: ticket.used_at,
    createdAt: ticket.created_at,
    updatedAt: ticket.updated_at,
    version: ticket.version,
  };
  const { id: _id, ...changes } = values;
  return db
    .insert(costTickets)
    .values(values)
    .onConflictDoUpdate({
      target: costTickets.id,
      set: changes,
      setWhere: sql`${costTickets.version} < ${ticket.version}`,
    });
}

function statementOf(db: Db, orgId: string, record: OutboxRecord) {
  switch (record.kind) {
    case "wallet":
      return walletStatement(
        db,
        orgId,
        record.payload as unknown as WalletView & { version: number },
      );
    case "ticket":
      return ticketStatement(
        db,
        orgId,
        record.payload as unknown as TicketView & { version: number },
      );
    case "entry": {
      const entry = record.payload as unknown as EntryView;
      return db
        .insert(ledgerEntries)
        .values({
          orgId,
          seq: entry.seq,
          walletId: entry.wallet_id,
          kind: entry.kind,
          amount: entry.amount,
          delta: entry.delta,
          balanceAfter: entry.balance_after,
          idempotencyKey: entry.idempotency_key,
          holdId: entry.hold_id,
          requestId: entry.request_id,
          ticketId: entry.ticket_id,
          actor: entry.actor,
          detail: entry.detail,
          createdAt: entry.created_at,
        })
        .onConflictDoNothing();
    }
    case "usage": {
      const usage = record.payload as unknown as UsagePayload;
      return db
        .insert(usageRecords)
        .values({
          requestId: usage.request_id,
          orgId,
          day: usage.day,
          teamId: usage.team_id,
          userId: usage.user_id,
          keyId: usage.key_id,
          provider: usage.provider,
          model: usage.model,
          promptTokens: usage.prompt_tokens,
          cachedTokens: usage.cached_tokens,
          completionTokens: usage.completion_tokens,
          cost: usage.cost,
          charged: usage.charged,
          uncollected: usage.uncollected,
          currency: usage.currency,
          estimated: usage.estimated,
          walletId: usage.wallet_id,
          createdAt: usage.created_at,
        })
        .onConflictDoNothing();
    }
    case "alert": {
      const alert = record.payload as unknown as AlertPayload;
      return db
        .insert(walletAlerts)
        .values({
          id: alert.id,
          orgId,
          walletId: alert.wallet_id,
          threshold: alert.threshold,
          balance: alert.balance,
          currency: alert.currency,
          createdAt: alert.created_at,
        })
        .onConflictDoNothing();
    }
  }
}

/**
 * Writes a batch of outbox records to D1 in one `db.batch` (all or nothing).
 * Every statement is idempotent (entries, usage and alerts are keyed, wallets
 * and tickets only move forward by version), so a batch written twice after a
 * crash changes nothing. Of several snapshots of one wallet only the last is sent.
 */
export async function mirrorRecords(
  database: D1Database,
  orgId: string,
  records: readonly OutboxRecord[],
): Promise<void> {
  if (records.length === 0) return;
  const db = createDb(database);
  const lastSnapshot = new Map<string, number>();
  for (const record of records)
    if (record.kind === "wallet" || record.kind === "ticket")
      lastSnapshot.set(`${record.kind}:${String(record.payload.id)}`, record.seq);
  const statements: BatchItem<"sqlite">[] = records
    .filter(
      (record) =>
        (record.kind !== "wallet" && record.kind !== "ticket") ||
        lastSnapshot.get(`${record.kind}:${String(record.payload.id)}`) === record.seq,
    )
    .map((record) => statementOf(db, orgId, record));
  const [first, ...rest] = statements;
  if (first) await db.batch([first, ...rest]);
}

/**
 * Copies the outbox to D1, `batch` records at a time, deleting what landed.
 * True when the outbox is empty; false when D1 failed (logged; the caller
 * retries later, and since every write is idempotent a retry is harmless).
 */
export async function drainOutbox(
  store: LedgerStore,
  database: D1Database,
  batch: number,
): Promise<boolean> {
  const orgId = store.meta("org_id");
  if (!orgId) return true;
  for (;;) {
    const rows = store.sql
      .exec<{ seq: number; kind: OutboxRecord["kind"]; payload: string }>(
        "SELECT seq, kind, payload FROM outbox ORDER BY seq LIMIT ?",
        batch,
      )
      .toArray();
    const last = rows.at(-1);
    if (!last) return true;
    try {
      await mirrorRecords(
        database,
        orgId,
        rows.map((row) => ({
          ...row,
          payload: JSON.parse(row.payload) as Record<string, unknown>,
        })),
      );
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          org_id: orgId,
          message: "ledger copy to D1 failed; the alarm retries it",
          error: (error as Error).message,
        }),
      );
      return false;
    }
    store.sql.exec("DELETE FROM outbox WHERE seq <= ?", last.seq);
  }
}
