import { json, unique } from "./control.ts";
import { sampleEvent } from "./event-fixtures.ts";
import type { Probe, RouteRow } from "./route-table.ts";
import type { World } from "./world.ts";

const refused = (path: string, body?: unknown): Probe => ({ path, body, expect: "refused" });
const list = (path: string): Probe => ({ path, expect: "list" });
const window = () => ({ from: Date.now() - 3_600_000, to: Date.now() });

async function freshManagedGateway(world: World): Promise<string> {
  const created = await json<{ id: string }>("POST", "/v1/gateways", {
    key: world.owner.key,
    body: { name: unique("events-gw"), kind: "managed" },
  });
  return created.id;
}

const exportRow = (method: "GET", suffix: string): RouteRow => ({
  method,
  path: `/v1/exports/{id}${suffix}`,
  crossOrg: (_a, v) => [refused(`/v1/exports/${v.eventExport.id}${suffix}`)],
  // The member sees only exports they made; the world's export is the owner's.
  crossTeam: (w) => [refused(`/v1/exports/${w.eventExport.id}${suffix}`)],
});

/** The event and export routes of issue 5, for the isolation tests. */
export const EVENT_ROUTES: RouteRow[] = [
  {
    method: "GET",
    path: "/v1/events",
    crossOrg: () => [list("/v1/events"), list("/v1/events?limit=200")],
    crossTeam: (w) => [list("/v1/events"), list(`/v1/events?team_id=${w.teamY.id}`)],
  },
  {
    method: "GET",
    path: "/v1/events/{id}",
    crossOrg: (_a, v) => [refused(`/v1/events/${v.events.member}`)],
    crossTeam: (w) => [refused(`/v1/events/${w.events.colleague}`)],
  },
  {
    method: "POST",
    path: "/v1/events/batch",
    crossOrg: (_a, v) => [
      refused("/v1/events/batch", {
        gateway_id: v.gateway.id,
        events: [sampleEvent({ orgId: v.orgId })],
      }),
    ],
    crossTeam: (w) => [
      refused("/v1/events/batch", {
        gateway_id: w.gateway.id,
        events: [sampleEvent({ orgId: w.orgId, teamId: w.teamY.id })],
      }),
    ],
    valid: async (w) => {
      const id = await freshManagedGateway(w);
      return {
        path: "/v1/events/batch",
        body: { gateway_id: id, events: [sampleEvent({ orgId: w.orgId })] },
        action: "events.import",
        resourceId: id,
      };
    },
  },
  {
    method: "GET",
    path: "/v1/exports/signing-key",
    crossOrg: () => [list("/v1/exports/signing-key")],
    crossTeam: () => [list("/v1/exports/signing-key")],
  },
  {
    method: "POST",
    path: "/v1/exports",
    crossOrg: (_a, v) => [
      {
        path: "/v1/exports",
        body: { ...window(), filters: { gateway_id: v.gateway.id } },
        expect: "created",
        echoes: [v.gateway.id],
      },
    ],
    // Evidence packets follow whole chains of the org: not a member's to make.
    crossTeam: () => [refused("/v1/exports", { ...window(), evidence: true })],
    valid: async () => ({
      path: "/v1/exports",
      body: { ...window(), format: "csv" },
      action: "export.create",
      resourceId: (answer) => String(answer.id),
    }),
  },
  {
    method: "GET",
    path: "/v1/exports",
    crossOrg: () => [list("/v1/exports")],
    crossTeam: () => [list("/v1/exports")],
  },
  exportRow("GET", ""),
  exportRow("GET", "/download"),
  exportRow("GET", "/evidence"),
];
