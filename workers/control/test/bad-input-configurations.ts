import { invalid, type BadRow } from "./bad-input-table.ts";
import { unique } from "./control.ts";
import { sampleYaml } from "./route-table-configurations.ts";

/** Bad requests for the configuration, gateway and rollout routes (issue 5). */
export const CONFIGURATION_BAD_ROWS: BadRow[] = [
  {
    route: "POST /v1/configurations",
    body: () => ({ name: unique("cfg"), yaml: sampleYaml() }),
    cases: (w) => [
      invalid("empty yaml", "/v1/configurations", { name: unique("cfg"), yaml: "" }, "yaml"),
      invalid(
        "unknown status",
        "/v1/configurations",
        { name: unique("cfg"), yaml: sampleYaml(), status: "live" },
        "status",
      ),
      {
        label: "invalid policy YAML",
        path: "/v1/configurations",
        body: { name: unique("cfg"), yaml: "providers: {targets: []}\n" },
        status: 400,
        code: "invalid_config",
      },
      {
        label: "broken YAML syntax",
        path: "/v1/configurations",
        body: { name: unique("cfg"), yaml: "providers: [\n" },
        status: 400,
        code: "invalid_config",
      },
      {
        label: "same version, other content",
        path: "/v1/configurations",
        body: { name: w.configuration.name, yaml: `${sampleYaml()}# changed\n` },
        status: 409,
        code: "version_exists",
      },
    ],
  },
  {
    route: "PATCH /v1/configurations/{id}",
    params: (w) => ({ id: w.configuration.id }),
    body: () => ({ status: "archived" }),
    cases: (w) => [
      invalid(
        "unknown status",
        `/v1/configurations/${w.configuration.id}`,
        { status: "live" },
        "status",
      ),
      {
        label: "unknown active version",
        path: `/v1/configurations/${w.configuration.id}`,
        body: { active_version: "9.9.9" },
        status: 404,
        code: "version_not_found",
      },
      {
        label: "unknown configuration",
        path: "/v1/configurations/cfg_nope",
        body: { status: "archived" },
        status: 404,
        code: "not_found",
      },
    ],
  },
  {
    route: "POST /v1/gateways",
    body: (w) => ({ name: unique("gw"), kind: "managed", configuration: w.configuration.id }),
    cases: (w) => [
      invalid("unknown kind", "/v1/gateways", { name: unique("gw"), kind: "cloud" }, "kind"),
      {
        label: "unknown configuration",
        path: "/v1/gateways",
        body: { name: unique("gw"), kind: "hosted", configuration: "cfg_nope" },
        status: 404,
        code: "not_found",
      },
      {
        label: "duplicate name",
        path: "/v1/gateways",
        body: { name: w.gateway.name, kind: "hosted" },
        status: 409,
        code: "conflict",
      },
    ],
  },
  {
    route: "POST /v1/admin/configurations/rollout",
    body: (w) => ({ gateway_ids: [w.gateway.id], version: "1.0.0" }),
    cases: (w) => [
      invalid(
        "no gateways",
        "/v1/admin/configurations/rollout",
        { gateway_ids: [], version: "1.0.0" },
        "gateway_ids",
      ),
      {
        label: "unknown gateway",
        path: "/v1/admin/configurations/rollout",
        body: { gateway_ids: ["gw_nope"], version: "1.0.0" },
        status: 404,
        code: "gateway_not_found",
      },
      {
        label: "unknown version",
        path: "/v1/admin/configurations/rollout",
        body: { gateway_ids: [w.gateway.id], version: "7.7.7" },
        status: 404,
        code: "version_not_found",
      },
    ],
  },
  {
    route: "POST /v1/gateways/{id}/heartbeat",
    params: (w) => ({ id: w.gateway.id }),
    body: () => ({ running_version: "1.0.0", running_hash: null }),
    cases: (w) => [
      invalid(
        "version of the wrong type",
        `/v1/gateways/${w.gateway.id}/heartbeat`,
        { running_version: 1, running_hash: null },
        "running_version",
      ),
      {
        label: "unknown gateway",
        path: "/v1/gateways/gw_nope/heartbeat",
        body: { running_version: "1.0.0", running_hash: null },
        status: 404,
        code: "not_found",
      },
    ],
  },
];
