import { json } from "./control.ts";
import { seedEscalation } from "./escalation-fixtures.ts";
import type { Probe, RouteRow, ValidCall } from "./route-table.ts";
import type { World } from "./world.ts";

const refused = (path: string, body?: unknown): Probe => ({ path, body, expect: "refused" });
const list = (path: string): Probe => ({ path, expect: "list" });
const audited = (path: string, action: string, id: string, body?: unknown): ValidCall => ({
  path,
  action,
  resourceId: id,
  body,
});
const decision = { outcome: "block", note: "taken over" };

/** A fresh queued escalation of team X, so each valid call has its own. */
const fresh = (w: World) =>
  seedEscalation(w.orgId, { teamId: w.teamX.id, keyId: w.memberToken.id });

/** The escalation routes of issue 7, for the isolation tests. */
export const ESCALATION_ROUTES: RouteRow[] = [
  {
    method: "GET",
    path: "/v1/escalations",
    crossOrg: (_a, v) => [
      list("/v1/escalations?limit=200"),
      list("/v1/escalations?status=resolved"),
      refused(`/v1/escalations?team=${v.teamX.id}`),
    ],
    crossTeam: (w) => [
      list("/v1/escalations?limit=200"),
      list(`/v1/escalations?team=${w.teamX.id}`),
      refused(`/v1/escalations?team=${w.teamY.id}`),
    ],
  },
  {
    method: "GET",
    path: "/v1/escalations/{id}",
    crossOrg: (_a, v) => [
      refused(`/v1/escalations/${v.escalations.teamX}`),
      refused(`/v1/escalations/${v.escalations.teamless}`),
    ],
    crossTeam: (w) => [
      refused(`/v1/escalations/${w.escalations.teamY}`),
      refused(`/v1/escalations/${w.escalations.teamless}`),
    ],
  },
  {
    method: "POST",
    path: "/v1/escalations/{id}/claim",
    crossOrg: (_a, v) => [
      refused(`/v1/escalations/${v.escalations.teamX}/claim`, {}),
      refused(`/v1/escalations/${v.escalations.teamless}/claim`, {}),
    ],
    crossTeam: (w) => [
      refused(`/v1/escalations/${w.escalations.teamY}/claim`, {}),
      refused(`/v1/escalations/${w.escalations.teamless}/claim`, {}),
    ],
    valid: async (w) => {
      const id = await fresh(w);
      return audited(`/v1/escalations/${id}/claim`, "escalation.claim", id, {});
    },
  },
  {
    method: "POST",
    path: "/v1/escalations/{id}/release",
    crossOrg: (_a, v) => [refused(`/v1/escalations/${v.escalations.teamX}/release`)],
    crossTeam: (w) => [refused(`/v1/escalations/${w.escalations.teamY}/release`)],
    valid: async (w) => {
      const id = await fresh(w);
      await json("POST", `/v1/escalations/${id}/claim`, { key: w.owner.key, expect: 200 });
      return audited(`/v1/escalations/${id}/release`, "escalation.release", id);
    },
  },
  {
    method: "POST",
    path: "/v1/escalations/{id}/resolve",
    crossOrg: (_a, v) => [
      refused(`/v1/escalations/${v.escalations.teamX}/resolve`, decision),
      refused(`/v1/escalations/${v.escalations.teamless}/resolve`, decision),
    ],
    crossTeam: (w) => [
      refused(`/v1/escalations/${w.escalations.teamY}/resolve`, decision),
      refused(`/v1/escalations/${w.escalations.teamless}/resolve`, decision),
    ],
    valid: async (w) => {
      const id = await fresh(w);
      return audited(`/v1/escalations/${id}/resolve`, "escalation.resolve", id, {
        outcome: "allow",
        note: "reviewed: fine",
      });
    },
  },
];
