import { unique } from "./control.ts";
import type { Probe, RouteRow, ValidCall } from "./route-table.ts";
import { openTicket } from "./spend-fixtures.ts";
import type { World } from "./world.ts";

const refused = (path: string, body?: unknown): Probe => ({ path, body, expect: "refused" });
const list = (path: string): Probe => ({ path, expect: "list" });
const audited = (
  path: string,
  action: string,
  resourceId: ValidCall["resourceId"],
  body?: unknown,
): ValidCall => ({ path, action, resourceId, body });
const walletOf = (index: number) => (answer: Record<string, unknown>) =>
  String((answer.wallets as Array<{ id: string }>)[index]?.id);
const price = () => ({
  provider: "mock",
  model: unique("priced-model"),
  currency: "USD",
  input_per_million: 1,
  output_per_million: 2,
});

/** A fresh pending ticket of team Y (its own key, so it is not the seeded one). */
function freshTicket(w: World): Promise<string> {
  return openTicket(w.orgId, {
    teamId: w.teamY.id,
    userId: w.colleague.userId,
    keyId: `key_${unique("ticket")}`,
  });
}

const decision = (verb: "approve" | "deny" | "fund", body: unknown): RouteRow => ({
  method: "POST",
  path: `/v1/cost-tickets/{id}/${verb}`,
  crossOrg: (_a, v) => [refused(`/v1/cost-tickets/${v.spend.colleagueTicket}/${verb}`, body)],
  crossTeam: (w) => [refused(`/v1/cost-tickets/${w.spend.colleagueTicket}/${verb}`, body)],
  valid: async (w) => {
    const id = await freshTicket(w);
    return audited(`/v1/cost-tickets/${id}/${verb}`, `cost_ticket.${verb}`, id, body);
  },
});

/** The wallet, cost-ticket, pricing and usage routes of issue 6, for the isolation tests. */
export const WALLET_ROUTES: RouteRow[] = [
  {
    method: "GET",
    path: "/v1/wallets",
    crossOrg: () => [list("/v1/wallets")],
    crossTeam: () => [list("/v1/wallets")],
  },
  {
    method: "POST",
    path: "/v1/wallets/allocate",
    crossOrg: (_a, v) => [
      refused("/v1/wallets/allocate", { team_id: v.teamY.id, amount: 1, currency: "USD" }),
      refused("/v1/wallets/allocate", { user_id: v.member.userId, amount: 1, currency: "USD" }),
    ],
    crossTeam: (w) => [
      refused("/v1/wallets/allocate", { team_id: w.teamX.id, amount: 1, currency: "USD" }),
    ],
    valid: async (w) =>
      audited("/v1/wallets/allocate", "wallet.allocate", walletOf(1), {
        team_id: w.teamX.id,
        amount: 1,
        currency: "USD",
      }),
  },
  {
    method: "POST",
    path: "/v1/wallets/top-up",
    crossOrg: (_a, v) => [
      refused("/v1/wallets/top-up", { team_id: v.teamY.id, amount: 1, currency: "USD" }),
    ],
    crossTeam: () => [refused("/v1/wallets/top-up", { amount: 1, currency: "USD" })],
    // The admin's own wallet: the org's was topped up when the world was made.
    valid: async (w) =>
      audited("/v1/wallets/top-up", "wallet.top_up", walletOf(0), {
        user_id: w.admin.userId,
        amount: 1,
        currency: "USD",
      }),
  },
  {
    method: "GET",
    path: "/v1/wallets/{id}/ledger",
    crossOrg: (_a, v) => [
      refused(`/v1/wallets/${v.spend.orgWallet}/ledger`),
      refused(`/v1/wallets/${v.spend.teamYWallet}/ledger`),
    ],
    crossTeam: (w) => [
      refused(`/v1/wallets/${w.spend.teamYWallet}/ledger`),
      refused(`/v1/wallets/${w.spend.orgWallet}/ledger`),
    ],
  },
  {
    method: "PATCH",
    path: "/v1/wallets/{id}",
    crossOrg: (_a, v) => [refused(`/v1/wallets/${v.spend.orgWallet}`, { alert_thresholds: [5] })],
    crossTeam: (w) => [refused(`/v1/wallets/${w.spend.teamYWallet}`, { alert_thresholds: [5] })],
    valid: async (w) =>
      audited(`/v1/wallets/${w.spend.teamYWallet}`, "wallet.alerts.update", w.spend.teamYWallet, {
        alert_thresholds: [1, 2],
      }),
  },
  {
    method: "GET",
    path: "/v1/cost-tickets",
    crossOrg: () => [list("/v1/cost-tickets"), list("/v1/cost-tickets?status=pending")],
    crossTeam: () => [list("/v1/cost-tickets")],
  },
  {
    method: "GET",
    path: "/v1/cost-tickets/{id}",
    crossOrg: (_a, v) => [refused(`/v1/cost-tickets/${v.spend.colleagueTicket}`)],
    crossTeam: (w) => [refused(`/v1/cost-tickets/${w.spend.colleagueTicket}`)],
  },
  decision("approve", { overdraft_limit: 1, note: "ok" }),
  decision("deny", { note: "no" }),
  decision("fund", { amount: 1 }),
  {
    method: "GET",
    path: "/v1/pricing",
    crossOrg: () => [list("/v1/pricing"), list("/v1/pricing?provider=mock")],
    crossTeam: () => [list("/v1/pricing")],
  },
  {
    method: "POST",
    path: "/v1/pricing",
    crossOrg: () => [{ path: "/v1/pricing", body: price(), expect: "created" }],
    crossTeam: () => [refused("/v1/pricing", price())],
    valid: async () =>
      audited("/v1/pricing", "pricing.set", (answer) => String(answer.id), price()),
  },
  {
    method: "GET",
    path: "/v1/usage",
    crossOrg: () => [list("/v1/usage"), list("/v1/usage?group_by=team,user,key,model,day")],
    crossTeam: () => [list("/v1/usage?group_by=team,user,key")],
  },
];
