import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { expireHolds, nextExpiry, placeHold, releaseHold, settleHold } from "./ledger-holds.ts";
import { drainOutbox } from "./ledger-mirror.ts";
import {
  allocateInputSchema,
  decideTicketSchema,
  holdInputSchema,
  parseInput,
  releaseInputSchema,
  settleInputSchema,
  TICKET_STATUSES,
  topUpInputSchema,
  visibilitySchema,
  type AllocateInput,
  type CloseResult,
  type DecideResult,
  type DecideTicketInput,
  type EntryView,
  type HoldInput,
  type HoldResult,
  type MoveResult,
  type ReleaseInput,
  type SettleInput,
  type TicketView,
  type TopUpInput,
  type Visibility,
  type WalletView,
} from "./ledger-model.ts";
import { allocate, fundTicket, topUp } from "./ledger-moves.ts";
import {
  entryView,
  LedgerStore,
  ticketView,
  walletView,
  type EntryRow,
  type TicketRow,
  type WalletRow,
} from "./ledger-store.ts";
import { SCHEMA } from "./ledger-tables.ts";
import { decideTicket, visibleTo } from "./ledger-tickets.ts";
import { MAX_AMOUNT_MICROS } from "./money.ts";

/** The bindings the LedgerDO needs: the D1 database it copies into. */
export interface LedgerEnv {
  DB: D1Database;
}

/** How soon a failed D1 copy is tried again (by the alarm). */
const MIRROR_RETRY_MS = 30_000;
/**
 * How long gateway changes (holds, settles) wait before their D1 copy, so one
 * D1 batch carries many of them; the alarm copies what an evicted object left.
 */
const MIRROR_DELAY_MS = 1_000;
/** The latest the alarm copies what a timer could not (the object was evicted first). */
const MIRROR_SAFETY_MS = 60_000;
/** Outbox records per D1 batch. */
const MIRROR_BATCH = 200;
/** Holds one alarm expires at most; the next alarm takes the rest. */
const EXPIRE_BATCH = 500;

const pageSchema = z.strictObject({
  limit: z.number().int().min(1).max(500).default(100),
  before: z.number().int().min(1).optional(),
});
const alertsSchema = z.strictObject({
  orgId: z.string().min(1).max(200),
  walletId: z.string().min(1).max(200),
  thresholds: z.array(z.number().int().min(1).max(MAX_AMOUNT_MICROS)).max(20),
});
const ticketFilterSchema = z.strictObject({
  status: z.enum(TICKET_STATUSES).optional(),
  limit: z.number().int().min(1).max(500).default(100),
});

/** Per wallet: its balance, what its entries sum to, and what open holds reserve. */
export interface WalletAudit {
  wallet_id: string;
  balance: number;
  entries_sum: number;
  held: number;
  open_holds: number;
}

function walletVisible(visibility: Visibility, wallet: WalletRow): boolean {
  if (visibility.teams === null) return true;
  if (wallet.scope === "team") return visibility.teams.includes(wallet.owner_id);
  if (wallet.scope === "user") return wallet.owner_id === visibility.userId;
  return false;
}

/**
 * The wallets and ledger of one org (one object per org, named by the org id).
 * Every money move is one `transactionSync`: read the balances, decide, write the
 * wallets, the append-only entries (each with a unique idempotency key and the
 * balance after it) and the outbox. Requests to one object run one at a time, so
 * concurrent holds can never spend the same credit twice. Open holds carry an
 * expiry swept by the alarm; the outbox is copied to D1 after each change (off
 * the caller's path) and retried by the alarm when D1 fails.
 */
export class LedgerDO extends DurableObject<LedgerEnv> {
  private readonly store: LedgerStore;
  private dirty = false;
  private flushing: Promise<void> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** The alarm as last set by this instance; undefined until read. */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: LedgerEnv) {
    super(ctx, env);
    this.store = new LedgerStore(ctx.storage.sql);
    this.store.sql.exec(SCHEMA);
  }

  /** Reserves a request's estimated maximum cost, or refuses it (a cost ticket when money ran out). */
  async hold(input: HoldInput): Promise<HoldResult> {
    const checked = this.checked(holdInputSchema, input);
    if (!checked.ok) return checked;
    const result = this.ctx.storage.transactionSync(() =>
      placeHold(this.store, checked.value, Date.now()),
    );
    await this.changed(result.ok && result.amount > 0);
    return result;
  }

  /** Charges a request's real cost and releases the rest of its hold. Idempotent. */
  async settle(input: SettleInput): Promise<CloseResult> {
    const checked = this.checked(settleInputSchema, input);
    if (!checked.ok) return checked;
    const result = this.ctx.storage.transactionSync(() =>
      settleHold(this.store, checked.value, Date.now()),
    );
    await this.changed(false);
    return result;
  }

  /** Gives a hold back in full (the upstream call failed). Idempotent. */
  async release(input: ReleaseInput): Promise<CloseResult> {
    const checked = this.checked(releaseInputSchema, input);
    if (!checked.ok) return checked;
    const result = this.ctx.storage.transactionSync(() =>
      releaseHold(this.store, checked.value, Date.now()),
    );
    await this.changed(false);
    return result;
  }

  /** New money into a wallet (admin top-up or a payment provider). Idempotent by key. */
  async topUp(input: TopUpInput): Promise<MoveResult> {
    const checked = this.checked(topUpInputSchema, input);
    if (!checked.ok) return checked;
    const result = this.ctx.storage.transactionSync(() =>
      topUp(this.store, checked.value, Date.now()),
    );
    await this.flush();
    return result;
  }

  /** Moves credit down the cascade. Idempotent by key. */
  async allocate(input: AllocateInput): Promise<MoveResult> {
    const checked = this.checked(allocateInputSchema, input);
    if (!checked.ok) return checked;
    if (
      checked.value.from.scope === checked.value.to.scope &&
      checked.value.from.ownerId === checked.value.to.ownerId
    )
      return { ok: false, error: "invalid", message: "from and to are the same wallet" };
    const result = this.ctx.storage.transactionSync(() =>
      allocate(this.store, checked.value, Date.now()),
    );
    await this.flush();
    return result;
  }

  /** The wallets the caller may see. */
  async wallets(visibility: Visibility): Promise<WalletView[]> {
    const checked = parseInput(visibilitySchema, visibility);
    if (!checked.ok) return [];
    return this.store
      .wallets()
      .filter((wallet) => walletVisible(checked.value, wallet))
      .map(walletView);
  }

  /** A wallet's entries, newest first (`before` a sequence number to page), or null if not visible. */
  async ledger(
    walletId: string,
    visibility: Visibility,
    page: { limit?: number; before?: number } = {},
  ): Promise<{ wallet: WalletView; entries: EntryView[] } | null> {
    const checked = parseInput(visibilitySchema, visibility);
    const paging = parseInput(pageSchema, page);
    if (!checked.ok || !paging.ok) return null;
    const wallet = this.store.wallet(walletId);
    if (!wallet || !walletVisible(checked.value, wallet)) return null;
    const entries = this.store.sql
      .exec<EntryRow>(
        "SELECT * FROM entries WHERE wallet_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?",
        walletId,
        paging.value.before ?? Number.MAX_SAFE_INTEGER,
        paging.value.limit,
      )
      .toArray()
      .map(entryView);
    return { wallet: walletView(wallet), entries };
  }

  /** Replaces a wallet's alert thresholds (micros); crossing one alerts once. */
  async setAlerts(input: {
    orgId: string;
    walletId: string;
    thresholds: number[];
  }): Promise<WalletView | null> {
    const checked = this.checked(alertsSchema, input);
    if (!checked.ok) return null;
    const updated = this.ctx.storage.transactionSync(() => {
      const wallet = this.store.wallet(checked.value.walletId);
      return wallet ? this.store.setThresholds(wallet, checked.value.thresholds, Date.now()) : null;
    });
    await this.flush();
    return updated ? walletView(updated) : null;
  }

  /** The cost tickets the caller may see, newest first. */
  async tickets(
    visibility: Visibility,
    filter: { status?: TicketView["status"]; limit?: number } = {},
  ): Promise<TicketView[]> {
    const checked = parseInput(visibilitySchema, visibility);
    const options = parseInput(ticketFilterSchema, filter);
    if (!checked.ok || !options.ok) return [];
    const rows = this.store.sql
      .exec<TicketRow>(
        "SELECT * FROM tickets WHERE (? IS NULL OR status = ?) ORDER BY created_at DESC, id LIMIT ?",
        options.value.status ?? null,
        options.value.status ?? null,
        options.value.limit,
      )
      .toArray();
    return rows.filter((row) => visibleTo(checked.value, row)).map(ticketView);
  }

  /** One cost ticket, or null when absent or not visible. */
  async ticket(id: string, visibility: Visibility): Promise<TicketView | null> {
    const checked = parseInput(visibilitySchema, visibility);
    const row = this.store.ticket(id);
    if (!checked.ok || !row || !visibleTo(checked.value, row)) return null;
    return ticketView(row);
  }

  /** Approves a pending ticket: its retry may take the wallet below zero by `overdraftLimit`. */
  async approveTicket(input: DecideTicketInput): Promise<DecideResult> {
    const checked = this.checked(decideTicketSchema, input);
    if (!checked.ok) return checked;
    const { ticketId, actor, note, overdraftLimit } = checked.value;
    const result = this.ctx.storage.transactionSync(() => {
      const ticket = this.store.ticket(ticketId);
      return decideTicket(
        this.store,
        ticketId,
        { status: "approved", actor, note, overdraftLimit: overdraftLimit ?? ticket?.amount ?? 0 },
        Date.now(),
      );
    });
    await this.flush();
    return result;
  }

  /** Denies a pending ticket: its retry is refused. */
  async denyTicket(input: DecideTicketInput): Promise<DecideResult> {
    const checked = this.checked(decideTicketSchema, input);
    if (!checked.ok) return checked;
    const { ticketId, actor, note } = checked.value;
    const result = this.ctx.storage.transactionSync(() =>
      decideTicket(
        this.store,
        ticketId,
        { status: "denied", actor, note, overdraftLimit: 0 },
        Date.now(),
      ),
    );
    await this.flush();
    return result;
  }

  /**
   * Funds a pending ticket: tops up the wallet that ran out (by `amount`, or by
   * what the request lacked) and marks the ticket funded, in one transaction.
   */
  async fundTicket(input: DecideTicketInput): Promise<DecideResult | MoveResult> {
    const checked = this.checked(decideTicketSchema, input);
    if (!checked.ok) return checked;
    const result = this.ctx.storage.transactionSync(() =>
      fundTicket(this.store, checked.value, Date.now()),
    );
    await this.flush();
    return result;
  }

  /** The books per wallet: balance, sum of its entries, holds. For tests and `kt wallets`. */
  async audit(): Promise<WalletAudit[]> {
    return this.store.sql
      .exec<WalletAudit & Record<string, SqlStorageValue>>(
        `SELECT w.id AS wallet_id, w.balance AS balance, w.held AS held,
          (SELECT coalesce(sum(delta), 0) FROM entries e WHERE e.wallet_id = w.id) AS entries_sum,
          (SELECT coalesce(sum(amount), 0) FROM holds h WHERE h.wallet_id = w.id AND h.status = 'held') AS open_holds
         FROM wallets w ORDER BY w.id`,
      )
      .toArray()
      .map((row) => ({ ...row }));
  }

  /** Copies everything the outbox holds to D1 now; true when it is empty afterwards. */
  async flush(): Promise<boolean> {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.dirty = true;
    this.drainNow();
    while (this.flushing) await this.flushing;
    return this.store.sql.exec("SELECT 1 FROM outbox LIMIT 1").toArray().length === 0;
  }

  /** Expires lapsed holds (their credit returns) and retries the D1 copy. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    this.ctx.storage.transactionSync(() => expireHolds(this.store, now, EXPIRE_BATCH));
    await this.flush();
    await this.alarmBy(nextExpiry(this.store));
  }

  private checked<Schema extends z.ZodType>(
    schema: Schema,
    input: unknown,
  ): { ok: true; value: z.infer<Schema> } | { ok: false; error: "invalid"; message: string } {
    const checked = parseInput(schema, input);
    if (!checked.ok) return checked;
    const orgId = (checked.value as { orgId?: string }).orgId;
    const known = this.store.meta("org_id");
    if (orgId !== undefined && known !== undefined && known !== orgId)
      return { ok: false, error: "invalid", message: "this ledger belongs to another org" };
    return checked;
  }

  /** Makes sure the alarm fires by `at` (an expiry or a retry); never pushes it later. */
  private async alarmBy(at: number | null): Promise<void> {
    if (at === null) return;
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt !== null && this.alarmAt <= at) return;
    this.alarmAt = at;
    await this.ctx.storage.setAlarm(at);
  }

  /**
   * After a gateway change: the D1 copy within {@link MIRROR_DELAY_MS} (batched),
   * and an alarm by the next hold expiry or {@link MIRROR_SAFETY_MS}, whichever is first.
   */
  private async changed(held: boolean): Promise<void> {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.drainNow();
    }, MIRROR_DELAY_MS);
    const safety = Date.now() + MIRROR_SAFETY_MS;
    const expiry = held ? nextExpiry(this.store) : null;
    await this.alarmBy(expiry === null ? safety : Math.min(expiry, safety));
  }

  /** Starts copying the outbox to D1 unless a copy is running (which then loops once more). */
  private drainNow(): void {
    if (this.flushing) return;
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      if (!(await drainOutbox(this.store, this.env.DB, MIRROR_BATCH))) {
        await this.alarmBy(Date.now() + MIRROR_RETRY_MS);
        return;
      }
    }
  }
}
