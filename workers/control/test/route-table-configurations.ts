import { json, unique } from "./control.ts";
import type { Probe, RouteRow, ValidCall } from "./route-table.ts";
import type { World } from "./world.ts";

/** A valid configuration whose pack.version is `version`. */
export function sampleYaml(version = "1.0.0"): string {
  return `pack: {name: sample, version: "${version}"}\nproviders:\n  targets: [{id: m, provider: mock, model: mock-echo}]\npolicies:\n  chain: [pii-detector]\n`;
}

const refused = (path: string, body?: unknown, echoes?: string[]): Probe => ({
  path,
  body,
  expect: "refused",
  ...(echoes ? { echoes } : {}),
});
const list = (path: string): Probe => ({ path, expect: "list" });

async function freshConfiguration(world: World): Promise<string> {
  const created = await json<{ configuration: { id: string } }>("POST", "/v1/configurations", {
    key: world.owner.key,
    body: { name: unique("fresh-config"), yaml: sampleYaml() },
  });
  return created.configuration.id;
}

async function freshGateway(world: World): Promise<string> {
  const created = await json<{ id: string }>("POST", "/v1/gateways", {
    key: world.owner.key,
    body: { name: unique("fresh-gw"), kind: "managed", configuration: world.configuration.id },
  });
  return created.id;
}

const audited = (
  path: string,
  action: string,
  resourceId: ValidCall["resourceId"],
  body?: unknown,
): ValidCall => ({ path, action, resourceId, body });

/** The configuration, gateway and rollout routes of issue 5, for the isolation tests. */
export const CONFIGURATION_ROUTES: RouteRow[] = [
  {
    method: "POST",
    path: "/v1/configurations",
    crossOrg: (_a, v) => [
      {
        path: "/v1/configurations",
        body: { name: v.configuration.name, yaml: sampleYaml() },
        expect: "created",
        echoes: [v.configuration.name],
      },
    ],
    crossTeam: () => [
      refused("/v1/configurations", { name: unique("member-config"), yaml: sampleYaml() }),
    ],
    valid: async () =>
      audited(
        "/v1/configurations",
        "configuration.version.create",
        (answer) => (answer.configuration as { id: string }).id,
        { name: unique("valid-config"), yaml: sampleYaml() },
      ),
  },
  {
    method: "GET",
    path: "/v1/configurations",
    crossOrg: () => [list("/v1/configurations")],
    crossTeam: () => [list("/v1/configurations")],
  },
  {
    method: "GET",
    path: "/v1/configurations/{id}",
    crossOrg: (_a, v) => [
      refused(`/v1/configurations/${v.configuration.id}`),
      refused(`/v1/configurations/${v.configuration.name}`),
    ],
    crossTeam: () => [],
  },
  {
    method: "GET",
    path: "/v1/configurations/{id}/versions/{version}",
    crossOrg: (_a, v) => [refused(`/v1/configurations/${v.configuration.id}/versions/1.0.0`)],
    crossTeam: () => [],
  },
  {
    method: "GET",
    path: "/v1/configurations/{id}/diff",
    crossOrg: (_a, v) => [
      refused(`/v1/configurations/${v.configuration.id}/diff?from=1.0.0&to=1.0.0`),
    ],
    crossTeam: () => [],
  },
  {
    method: "PATCH",
    path: "/v1/configurations/{id}",
    crossOrg: (_a, v) => [
      refused(`/v1/configurations/${v.configuration.id}`, { status: "archived" }),
    ],
    crossTeam: (w) => [refused(`/v1/configurations/${w.configuration.id}`, { status: "archived" })],
    valid: async (w) => {
      const id = await freshConfiguration(w);
      return audited(`/v1/configurations/${id}`, "configuration.update", id, {
        status: "archived",
      });
    },
  },
  {
    method: "POST",
    path: "/v1/gateways",
    crossOrg: (_a, v) => [
      refused("/v1/gateways", {
        name: unique("gw"),
        kind: "managed",
        configuration: v.configuration.id,
      }),
    ],
    crossTeam: () => [refused("/v1/gateways", { name: unique("gw"), kind: "hosted" })],
    valid: async () =>
      audited("/v1/gateways", "gateway.create", (answer) => String(answer.id), {
        name: unique("valid-gw"),
        kind: "hosted",
      }),
  },
  {
    method: "GET",
    path: "/v1/admin/configurations",
    crossOrg: () => [list("/v1/admin/configurations")],
    crossTeam: () => [list("/v1/admin/configurations")],
  },
  {
    method: "GET",
    path: "/v1/admin/configurations/gateways/{id}/runtime-state",
    crossOrg: (_a, v) => [
      refused(`/v1/admin/configurations/gateways/${v.gateway.id}/runtime-state`),
    ],
    crossTeam: () => [],
  },
  {
    method: "POST",
    path: "/v1/admin/configurations/rollout",
    crossOrg: (_a, v) => [
      refused(
        "/v1/admin/configurations/rollout",
        { gateway_ids: [v.gateway.id], version: "1.0.0" },
        [v.gateway.id],
      ),
    ],
    crossTeam: (w) => [
      refused("/v1/admin/configurations/rollout", {
        gateway_ids: [w.gateway.id],
        version: "1.0.0",
      }),
    ],
    valid: async (w) =>
      audited(
        "/v1/admin/configurations/rollout",
        "configuration.rollout.enforce",
        w.configuration.id,
        { gateway_ids: [await freshGateway(w)], version: "1.0.0" },
      ),
  },
  {
    method: "GET",
    path: "/v1/gateways/{id}/config",
    crossOrg: (_a, v) => [refused(`/v1/gateways/${v.gateway.id}/config`)],
    crossTeam: () => [],
  },
  {
    method: "POST",
    path: "/v1/gateways/{id}/heartbeat",
    crossOrg: (_a, v) => [
      refused(`/v1/gateways/${v.gateway.id}/heartbeat`, {
        running_version: "9.9.9",
        running_hash: null,
      }),
    ],
    crossTeam: (w) => [
      refused(`/v1/gateways/${w.gateway.id}/heartbeat`, {
        running_version: "9.9.9",
        running_hash: null,
      }),
    ],
    valid: async (w) => {
      const id = await freshGateway(w);
      return audited(`/v1/gateways/${id}/heartbeat`, "gateway.version.reported", id, {
        running_version: unique("v"),
        running_hash: null,
      });
    },
  },
];
