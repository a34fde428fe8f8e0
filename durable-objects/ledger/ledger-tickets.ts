import type { DecideResult, HoldRefusal, Visibility, WalletScope } from "./ledger-model.ts";
import { ticketView, type LedgerStore, type TicketRow, type WalletRow } from "./ledger-store.ts";

/** Who asked, for matching a retry to its ticket. */
export interface Caller {
  teamId: string | null;
  userId: string | null;
  keyId: string | null;
}

/** Writes a ticket row (insert or update) and queues its copy for D1. */
export function writeTicket(store: LedgerStore, row: TicketRow): TicketRow {
  const columns = Object.keys(row);
  store.sql.exec(
    `INSERT INTO tickets (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")}) ON CONFLICT (id) DO UPDATE SET ${columns
      .filter((column) => column !== "id")
      .map((column) => `${column} = excluded.${column}`)
      .join(", ")}`,
    ...columns.map((column) => row[column] ?? null),
  );
  store.outbox("ticket", { ...ticketView(row), version: row.version });
  return row;
}

/**
 * The pending ticket of this caller for this wallet, refreshed with the latest
 * need, or a new one: a client retrying in a loop asks once, not a thousand times.
 */
export function openTicket(
  store: LedgerStore,
  wallet: WalletRow,
  caller: Caller,
  request: { requestId: string; model: string; amount: number; available: number },
  now: number,
): TicketRow {
  const pending = store.sql
    .exec<TicketRow>(
      "SELECT * FROM tickets WHERE status = 'pending' AND wallet_id = ? AND key_id IS ? AND user_id IS ? LIMIT 1",
      wallet.id,
      caller.keyId,
      caller.userId,
    )
    .toArray()[0];
  if (pending) {
    return writeTicket(store, {
      ...pending,
      amount: Math.max(pending.amount, request.amount),
      available: request.available,
      updated_at: now,
      version: pending.version + 1,
    });
  }
  return writeTicket(store, {
    id: `ct_${crypto.randomUUID().replaceAll("-", "")}`,
    status: "pending",
    scope: wallet.scope,
    wallet_id: wallet.id,
    team_id: caller.teamId,
    user_id: caller.userId,
    key_id: caller.keyId,
    model: request.model,
    request_id: request.requestId,
    amount: request.amount,
    available: request.available,
    currency: wallet.currency,
    overdraft_limit: 0,
    note: null,
    decided_by: null,
    decided_at: null,
    used_request_id: null,
    used_at: null,
    created_at: now,
    updated_at: now,
    version: 1,
  });
}

/**
 * The ticket a retry names, if it may be used now by this caller: approved or
 * funded, not used, and opened for the same key and user. Otherwise the refusal.
 */
export function usableTicket(
  store: LedgerStore,
  ticketId: string,
  caller: Caller,
): { ok: true; ticket: TicketRow } | Extract<HoldRefusal, { ticketId: string }> {
  const ticket = store.ticket(ticketId);
  if (!ticket || ticket.key_id !== caller.keyId || ticket.user_id !== caller.userId)
    return { ok: false, error: "ticket_not_found", ticketId };
  switch (ticket.status) {
    case "pending":
      return { ok: false, error: "ticket_pending", ticketId };
    case "denied":
      return { ok: false, error: "ticket_denied", ticketId };
    case "used":
      return { ok: false, error: "ticket_used", ticketId };
    case "approved":
    case "funded":
      return { ok: true, ticket };
  }
}

/** Marks a ticket used by the request it let through. */
export function useTicket(
  store: LedgerStore,
  ticket: TicketRow,
  requestId: string,
  now: number,
): void {
  writeTicket(store, {
    ...ticket,
    status: "used",
    used_request_id: requestId,
    used_at: now,
    updated_at: now,
    version: ticket.version + 1,
  });
}

/** Approves (with an overdraft limit), denies or marks funded a pending ticket. */
export function decideTicket(
  store: LedgerStore,
  ticketId: string,
  decision: {
    status: "approved" | "denied" | "funded";
    actor: string;
    note: string | null;
    overdraftLimit: number;
  },
  now: number,
): DecideResult {
  const ticket = store.ticket(ticketId);
  if (!ticket) return { ok: false, error: "not_found" };
  if (ticket.status !== "pending")
    return { ok: false, error: "not_pending", status: ticket.status };
  const decided = writeTicket(store, {
    ...ticket,
    status: decision.status,
    overdraft_limit: decision.status === "approved" ? decision.overdraftLimit : 0,
    note: decision.note,
    decided_by: decision.actor,
    decided_at: now,
    updated_at: now,
    version: ticket.version + 1,
  });
  return { ok: true, ticket: ticketView(decided) };
}

/** True when the caller may see rows of this team and user. */
export function visibleTo(
  visibility: Visibility,
  row: { scope?: WalletScope; team_id?: string | null; user_id?: string | null },
): boolean {
  if (visibility.teams === null) return true;
  if (row.user_id && row.user_id === visibility.userId) return true;
  return (
    row.team_id !== null && row.team_id !== undefined && visibility.teams.includes(row.team_id)
  );
}
