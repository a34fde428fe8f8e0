import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { DecideResult, MoveResult } from "../../../durable-objects/ledger/ledger-model.ts";
import { toMicros } from "../../../durable-objects/ledger/money.ts";
import { createDb } from "../../db/client.ts";
import { auditEntry } from "../audit.ts";
import { requirePermission } from "../auth/permissions.ts";
import type { ControlApp } from "../env.ts";
import { notFound } from "../errors.ts";
import {
  actorOf,
  Amount,
  CostTicket,
  decideProblem,
  ledgerOf,
  showTicket,
  visibilityOf,
} from "../wallets/ledger-client.ts";
import { controlRouter, IdParam, jsonBody, responses } from "./route-kit.ts";

const Note = z.string().max(1000);
const ListQuery = z.object({
  status: z.enum(["pending", "approved", "funded", "denied", "used"]).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** Records a decision in the audit log and answers with the ticket, or the problem. */
async function decided(
  c: Context<ControlApp>,
  action: string,
  result: DecideResult | MoveResult,
  details: Record<string, unknown>,
) {
  if (!result.ok) throw decideProblem(result);
  if (!("ticket" in result)) throw new Error("a ticket decision answered without its ticket");
  const db = createDb(c.env.DB);
  await db.batch([
    auditEntry(c, db, {
      action,
      resourceType: "cost_ticket",
      resourceId: result.ticket.id,
      before: { status: "pending" },
      after: { status: result.ticket.status, ...details },
    }),
  ]);
  return c.json(showTicket(result.ticket), 200);
}

/**
 * `/v1/cost-tickets`: requests refused because no wallet of the cascade could
 * pay. An admin approves one (its retry may take the wallet below zero, by at
 * most the overdraft limit), denies it, or funds it (a top-up of the wallet
 * that ran out); the client retries with `x-keeptrusts-cost-ticket`.
 */
export const costTicketRoutes = controlRouter();

costTicketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/cost-tickets",
    middleware: [requirePermission("spend:read")],
    request: { query: ListQuery },
    responses: responses(200, z.object({ data: z.array(CostTicket) }), "Tickets, newest first"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const { status, limit } = c.req.valid("query");
    const tickets = await ledgerOf(c.env, principal.orgId).tickets(visibilityOf(principal), {
      limit,
      ...(status ? { status } : {}),
    });
    return c.json({ data: tickets.map(showTicket) }, 200);
  },
);

costTicketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/v1/cost-tickets/{id}",
    middleware: [requirePermission("spend:read")],
    request: { params: IdParam },
    responses: responses(200, CostTicket, "The ticket"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const ticket = await ledgerOf(c.env, principal.orgId).ticket(
      c.req.valid("param").id,
      visibilityOf(principal),
    );
    if (!ticket) throw notFound("cost ticket");
    return c.json(showTicket(ticket), 200);
  },
);

costTicketRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/cost-tickets/{id}/approve",
    middleware: [requirePermission("spend:write")],
    request: {
      params: IdParam,
      body: jsonBody(
        z
          .object({
            overdraft_limit: z.number().min(0).max(1_000_000_000).optional(),
            note: Note.optional(),
          })
          .strict(),
      ),
    },
    responses: responses(200, CostTicket, "The approved ticket"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const result = await ledgerOf(c.env, principal.orgId).approveTicket({
      orgId: principal.orgId,
      ticketId: c.req.valid("param").id,
      actor: actorOf(principal),
      note: body.note ?? null,
      ...(body.overdraft_limit === undefined
        ? {}
        : { overdraftLimit: toMicros(body.overdraft_limit) }),
    });
    return decided(c, "cost_ticket.approve", result, {
      overdraft_limit:
        result.ok && "ticket" in result ? showTicket(result.ticket).overdraft_limit : null,
    });
  },
);

costTicketRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/cost-tickets/{id}/deny",
    middleware: [requirePermission("spend:write")],
    request: { params: IdParam, body: jsonBody(z.object({ note: Note.optional() }).strict()) },
    responses: responses(200, CostTicket, "The denied ticket"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const result = await ledgerOf(c.env, principal.orgId).denyTicket({
      orgId: principal.orgId,
      ticketId: c.req.valid("param").id,
      actor: actorOf(principal),
      note: c.req.valid("json").note ?? null,
    });
    return decided(c, "cost_ticket.deny", result, {});
  },
);

costTicketRoutes.openapi(
  createRoute({
    method: "post",
    path: "/v1/cost-tickets/{id}/fund",
    middleware: [requirePermission("spend:write")],
    request: {
      params: IdParam,
      body: jsonBody(z.object({ amount: Amount.optional(), note: Note.optional() }).strict()),
    },
    responses: responses(200, CostTicket, "The funded ticket"),
  }),
  async (c) => {
    const principal = c.get("principal");
    const body = c.req.valid("json");
    const result = await ledgerOf(c.env, principal.orgId).fundTicket({
      orgId: principal.orgId,
      ticketId: c.req.valid("param").id,
      actor: actorOf(principal),
      note: body.note ?? null,
      ...(body.amount === undefined ? {} : { amount: toMicros(body.amount) }),
    });
    return decided(c, "cost_ticket.fund", result, { amount: body.amount ?? null });
  },
);
