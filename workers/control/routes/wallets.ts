import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { and, eq } from "drizzle-orm";
import type { WalletRef } from "../../../durable-objects/ledger/ledger-model.ts";
import { toMicros } from "../../../durable-objects/ledger/money.ts";
import { newId } from "../../db/api-key.ts";
import { createDb, type Db } from "../../db/client.ts";
import { memberships } from "../../db/schema.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import type { ControlApp } from "../env.ts";
import { notFound, Problem } from "../errors.ts";
import {
  actorOf,
  Amount,
  Currency,
  IdempotencyKey,
  LedgerEntry,
  ledgerOf,
  moveProblem,
  showEntry,
  showWallet,
  visibilityOf,
  Wallet,
} from "../wallets/ledger-client.ts";
import { manualPayments } from "../wallets/payment-provider.ts";
import { controlRouter, IdParam, jsonBody, responses } from "./route-kit.ts";
import { findTeam } from "./teams.ts";

const OwnerId = z.string().min(1).max(200);
const onlyOne = (body: { team_id?: string; user_id?: string }) =>
  !(body.team_id !== undefined && body.user_id !== undefined);

const AllocateBody = z
  .object({
    team_id: OwnerId.optional(),
    user_id: OwnerId.optional(),
    from_team_id: OwnerId.optional(),
    amount: Amount,
    currency: Currency,
    idempotency_key: IdempotencyKey.optional(),
  })
  .strict()
  .refine((body) => onlyOne(body) && (body.team_id ?? body.user_id) !== undefined, {
    message: "name exactly one of team_id and user_id",
    path: ["team_id"],
  });
const TopUpBody = z
  .object({
    team_id: OwnerId.optional(),
    user_id: OwnerId.optional(),
    amount: Amount,
    currency: Currency,
    reference: z.string().min(1).max(200).optional(),
    idempotency_key: IdempotencyKey.optional(),
  })
  .strict()
  .refine(onlyOne, { message: "name at most one of team_id and user_id", path: ["team_id"] });
const MoveAnswer = z
  .object({ duplicate: z.boolean(), wallets: z.array(Wallet), entries: z.array(LedgerEntry) })
  .openapi("WalletMove");
const LedgerQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: z.coerce.number().int().min(1).optional(),
});

/** The wallet a body names: a team or a member of the caller's org (404 otherwise), or the org. */
async function walletRef(
  db: Db,
  c: Context<ControlApp>,
  body: { team_id?: string; user_id?: string },
): Promise<WalletRef> {
  const principal = c.get("principal");
  if (body.team_id !== undefined)
    return { scope: "team", ownerId: (await findTeam(db, principal, body.team_id)).id };
  if (body.user_id !== undefined) {
    const [member] = await db
      .select({ userId: memberships.userId })
      .from(memberships)
      .where(and(eq(memberships.orgId, principal.orgId), eq(memberships.userId, body.user_id)))
      .limit(1);
    if (!member) throw notFound("member");
    return { scope: "user", ownerId: member.userId };
  }
  return { scope: "org", ownerId: principal.orgId };
}

/** The idempotency key of a money move: the body's, the `Idempotency-Key` header's, or a fresh one. */
function keyOf(c: Context<ControlApp>, fromBody: string | undefined): string {
  const header = c.req.header("idempotency-key");
  if (header !== undefined && !IdempotencyKey.safeParse(header).success)
    throw new Problem(
      400,
      "invalid_request",
      "Invalid request",
      "Idempotency-Key: 1-100 letters, digits, or . _ : -",
      [{ path: "Idempotency-Key", message: "1-100 letters, digits, or . _ : -" }],
    );
  return fromBody ?? header ?? newId("move");
}

/** `/v1/wallets`: the org's wallets, their ledgers, top-ups and allocations down the cascade. */
export const walletRoutes = controlRouter();

walletRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/wallets",
    middleware: [requirePermission("spend:read")],
    responses: responses(200, z.object({ data: z.array(Wallet) }), "Wallets the caller can see"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const wallets = await ledgerOf(c.env, principal.orgId).wallets(visibilityOf(principal));
    return c.json({ data: wallets.map(showWallet) }, 200);
  },
);

walletRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/wallets/allocate",
    middleware: [requirePermission("spend:write")],
    request: { body: jsonBody(AllocateBody) },
    responses: responses(201, MoveAnswer, "The allocation and the wallets after it"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const to = await walletRef(db, c, body);
    const from =
      body.from_team_id === undefined
        ? { scope: "org" as const, ownerId: principal.orgId }
        : await walletRef(db, c, { team_id: body.from_team_id });
    if (from.scope === to.scope && from.ownerId === to.ownerId)
      throw new Problem(
        400,
        "invalid_request",
        "Invalid request",
        "from and to are the same wallet",
        [{ path: "from_team_id", message: "the same wallet as team_id" }],
      );
    const result = await ledgerOf(c.env, principal.orgId).allocate({
      orgId: principal.orgId,
      from,
      to,
      amount: toMicros(body.amount),
      currency: body.currency,
      idempotencyKey: keyOf(c, body.idempotency_key),
      actor: actorOf(principal),
    });
    if (!result.ok) throw moveProblem(result);
    const target = result.wallets.at(-1);
    if (!result.duplicate && target)
      await db.batch([
        auditEntry(c, db, {
          action: "wallet.allocate",
          resourceType: "wallet",
          resourceId: target.id,
          after: { amount: body.amount, currency: body.currency, from, to },
        }),
      ]);
    return c.json(
      {
        duplicate: result.duplicate,
        wallets: result.wallets.map(showWallet),
        entries: result.entries.map(showEntry),
      },
      201,
    );
  },
);

walletRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/wallets/top-up",
    middleware: [requirePermission("spend:write")],
    request: { body: jsonBody(TopUpBody) },
    responses: responses(201, MoveAnswer, "The top-up and the wallet after it"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const db = createDb(c.env.DB);
    const to = await walletRef(db, c, body);
    const result = await ledgerOf(c.env, principal.orgId).topUp({
      orgId: principal.orgId,
      to,
      amount: toMicros(body.amount),
      currency: body.currency,
      idempotencyKey: keyOf(c, body.idempotency_key),
      actor: actorOf(principal),
      source: manualPayments.name,
      reference: body.reference ?? null,
      ticketId: null,
    });
    if (!result.ok) throw moveProblem(result);
    const wallet = result.wallets[0];
    if (!result.duplicate && wallet)
      await db.batch([
        auditEntry(c, db, {
          action: "wallet.top_up",
          resourceType: "wallet",
          resourceId: wallet.id,
          after: {
            amount: body.amount,
            currency: body.currency,
            to,
            reference: body.reference ?? null,
          },
        }),
      ]);
    return c.json(
      {
        duplicate: result.duplicate,
        wallets: result.wallets.map(showWallet),
        entries: result.entries.map(showEntry),
      },
      201,
    );
  },
);

walletRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/wallets/{id}/ledger",
    middleware: [requirePermission("spend:read")],
    request: { params: IdParam, query: LedgerQuery },
    responses: responses(
      200,
      z.object({ wallet: Wallet, data: z.array(LedgerEntry), next_before: z.number().nullable() }),
      "The wallet's entries, newest first",
    ),
  }),
  async (c) => {
    const principal = c.get("principal");
    const { limit, before } = c.req.valid("query");
    const found = await ledgerOf(c.env, principal.orgId).ledger(
      c.req.valid("param").id,
      visibilityOf(principal),
      { limit, ...(before === undefined ? {} : { before }) },
    );
    if (!found) throw notFound("wallet");
    const last = found.entries.at(-1);
    return c.json(
      {
        wallet: showWallet(found.wallet),
        data: found.entries.map(showEntry),
        next_before: found.entries.length === limit && last ? last.seq : null,
      },
      200,
    );
  },
);

walletRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/v1/wallets/{id}",
    middleware: [requirePermission("spend:write")],
    request: {
      params: IdParam,
      body: jsonBody(z.object({ alert_thresholds: z.array(Amount).max(20) }).strict()),
    },
    responses: responses(200, Wallet, "The wallet with its new alert thresholds"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const id = c.req.valid("param").id;
    const ledger = ledgerOf(c.env, principal.orgId);
    const before = (await ledger.wallets(visibilityOf(principal))).find(
      (wallet) => wallet.id === id,
    );
    if (!before) throw notFound("wallet");
    const thresholds = c.req.valid("json").alert_thresholds;
    const updated = await ledger.setAlerts({
      orgId: principal.orgId,
      walletId: id,
      thresholds: thresholds.map(toMicros),
    });
    if (!updated) throw notFound("wallet");
    const db = createDb(c.env.DB);
    await db.batch([
      auditEntry(c, db, {
        action: "wallet.alerts.update",
        resourceType: "wallet",
        resourceId: id,
        before: { alert_thresholds: showWallet(before).alert_thresholds },
        after: { alert_thresholds: showWallet(updated).alert_thresholds },
      }),
    ]);
    return c.json(showWallet(updated), 200);
  },
);
