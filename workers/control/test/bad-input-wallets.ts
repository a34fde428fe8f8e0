import { invalid, type BadCase, type BadRow } from "./bad-input-table.ts";

const problem = (
  label: string,
  path: string,
  body: unknown,
  status: number,
  code: string,
): BadCase => ({ label, path, body, status, code });

const decided = (
  verb: "approve" | "deny" | "fund",
  extra: (path: string) => BadCase[] = () => [],
): BadRow => ({
  route: `POST /v1/cost-tickets/{id}/${verb}`,
  params: (w) => ({ id: w.spend.colleagueTicket }),
  body: () => (verb === "fund" ? { amount: 1 } : { note: "fine" }),
  cases: (w) => [
    problem(
      "a ticket already decided",
      `/v1/cost-tickets/${w.spend.deniedTicket}/${verb}`,
      {},
      409,
      "ticket_decided",
    ),
    invalid(
      "note too long",
      `/v1/cost-tickets/${w.spend.colleagueTicket}/${verb}`,
      { note: "n".repeat(1001) },
      "note",
    ),
    ...extra(`/v1/cost-tickets/${w.spend.colleagueTicket}/${verb}`),
  ],
});

/** Bad requests for the wallet, cost-ticket and pricing routes (issue 6). */
export const WALLET_BAD_ROWS: BadRow[] = [
  {
    route: "POST /v1/wallets/allocate",
    body: (w) => ({ team_id: w.teamX.id, amount: 1, currency: "USD" }),
    cases: (w) => {
      const path = "/v1/wallets/allocate";
      const team = w.teamX.id;
      return [
        invalid("no target", path, { amount: 1, currency: "USD" }, "team_id"),
        invalid(
          "two targets",
          path,
          { team_id: team, user_id: w.member.userId, amount: 1, currency: "USD" },
          "team_id",
        ),
        invalid("negative amount", path, { team_id: team, amount: -1, currency: "USD" }, "amount"),
        invalid(
          "below a micro-unit",
          path,
          { team_id: team, amount: 0.0000001, currency: "USD" },
          "amount",
        ),
        invalid(
          "currency in lower case",
          path,
          { team_id: team, amount: 1, currency: "usd" },
          "currency",
        ),
        invalid(
          "idempotency key with spaces",
          path,
          { team_id: team, amount: 1, currency: "USD", idempotency_key: "a b" },
          "idempotency_key",
        ),
        invalid(
          "from and to the same team",
          path,
          { team_id: team, from_team_id: team, amount: 1, currency: "USD" },
          "from_team_id",
        ),
        problem(
          "unknown team",
          path,
          { team_id: "team_nope", amount: 1, currency: "USD" },
          404,
          "not_found",
        ),
        problem(
          "unknown user",
          path,
          { user_id: "usr_nope", amount: 1, currency: "USD" },
          404,
          "not_found",
        ),
        problem(
          "another currency",
          path,
          { team_id: team, amount: 1, currency: "EUR" },
          409,
          "currency_mismatch",
        ),
        problem(
          "more than the org wallet holds",
          path,
          { team_id: team, amount: 1_000_000, currency: "USD" },
          409,
          "insufficient_balance",
        ),
        problem(
          "from a team with no wallet",
          path,
          { user_id: w.member.userId, from_team_id: team, amount: 1, currency: "USD" },
          409,
          "no_wallet",
        ),
      ];
    },
  },
  {
    route: "POST /v1/wallets/top-up",
    body: () => ({ amount: 1, currency: "USD" }),
    cases: (w) => {
      const path = "/v1/wallets/top-up";
      return [
        invalid(
          "two targets",
          path,
          { team_id: w.teamX.id, user_id: w.member.userId, amount: 1, currency: "USD" },
          "team_id",
        ),
        invalid("zero", path, { amount: 0, currency: "USD" }, "amount"),
        invalid(
          "reference too long",
          path,
          { amount: 1, currency: "USD", reference: "r".repeat(201) },
          "reference",
        ),
        problem(
          "unknown team",
          path,
          { team_id: "team_nope", amount: 1, currency: "USD" },
          404,
          "not_found",
        ),
        problem("another currency", path, { amount: 1, currency: "EUR" }, 409, "currency_mismatch"),
      ];
    },
  },
  {
    route: "PATCH /v1/wallets/{id}",
    params: (w) => ({ id: w.spend.orgWallet }),
    body: () => ({ alert_thresholds: [5] }),
    cases: (w) => {
      const path = `/v1/wallets/${w.spend.orgWallet}`;
      return [
        invalid("negative threshold", path, { alert_thresholds: [-5] }, "alert_thresholds.0"),
        invalid(
          "too many thresholds",
          path,
          { alert_thresholds: Array.from({ length: 21 }, (_v, i) => i + 1) },
          "alert_thresholds",
        ),
      ];
    },
  },
  decided("approve", (path) => [
    invalid("negative overdraft", path, { overdraft_limit: -1 }, "overdraft_limit"),
  ]),
  decided("deny"),
  decided("fund", (path) => [invalid("zero", path, { amount: 0 }, "amount")]),
  {
    route: "POST /v1/pricing",
    body: () => ({
      provider: "mock",
      model: "bad-input-model",
      currency: "USD",
      input_per_million: 1,
      output_per_million: 2,
    }),
    cases: () => {
      const valid = {
        provider: "mock",
        model: "bad-input-model",
        currency: "USD",
        input_per_million: 1,
        output_per_million: 2,
      };
      return [
        invalid("unknown provider", "/v1/pricing", { ...valid, provider: "acme" }, "provider"),
        invalid("model with spaces", "/v1/pricing", { ...valid, model: "a model" }, "model"),
        invalid(
          "negative price",
          "/v1/pricing",
          { ...valid, input_per_million: -1 },
          "input_per_million",
        ),
        invalid(
          "fractional time",
          "/v1/pricing",
          { ...valid, effective_from: 1.5 },
          "effective_from",
        ),
      ];
    },
  },
];
