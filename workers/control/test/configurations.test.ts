import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, json, newOrg, unique } from "./control.ts";
import { sampleEvent, seed } from "./event-fixtures.ts";
import { sampleYaml } from "./route-table-configurations.ts";

interface Pushed {
  configuration: {
    id: string;
    name: string;
    status: string;
    active_version: string | null;
    latest_version: string;
  };
  version: { version: string; sha256: string };
  created: boolean;
}

describe("versioned configurations", () => {
  it("saves versions immutably, with their SHA-256, lists, diffs and activates them", async () => {
    const { ownerKey } = await newOrg();
    const name = unique("support");
    const first = await json<Pushed>("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: sampleYaml("1.0.0") },
    });
    expect(first).toMatchObject({
      created: true,
      configuration: { name, status: "draft", latest_version: "1.0.0" },
      version: { version: "1.0.0" },
    });
    expect(first.version.sha256).toMatch(/^[0-9a-f]{64}$/);
    const again = await json<Pushed>("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: sampleYaml("1.0.0") },
    });
    expect(again.created).toBe(false);
    const changed = await call("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: `${sampleYaml("1.0.0")}# edited\n` },
    });
    expect(changed.status).toBe(409);
    expect(await changed.json()).toMatchObject({ code: "version_exists" });
    await json("POST", "/v1/configurations", {
      key: ownerKey,
      body: {
        name,
        yaml: sampleYaml("1.1.0").replace(
          "chain: [pii-detector]",
          "chain: [pii-detector, audit-logger]",
        ),
        status: "active",
      },
    });
    const shown = await json<{ versions: Array<{ version: string }>; active_version: string }>(
      "GET",
      `/v1/configurations/${name}`,
      { key: ownerKey },
    );
    expect(shown.versions.map((version) => version.version)).toEqual(["1.1.0", "1.0.0"]);
    expect(shown.active_version).toBe("1.1.0");
    const one = await json<{ yaml: string }>("GET", `/v1/configurations/${name}/versions/1.0.0`, {
      key: ownerKey,
    });
    expect(one.yaml).toBe(sampleYaml("1.0.0"));
    const diff = await json<{ diff: string }>(
      "GET",
      `/v1/configurations/${name}/diff?from=1.0.0&to=1.1.0`,
      { key: ownerKey },
    );
    expect(diff.diff).toContain('-pack: {name: sample, version: "1.0.0"}');
    expect(diff.diff).toContain("+  chain: [pii-detector, audit-logger]");
    const archived = await json<{ status: string }>("PATCH", `/v1/configurations/${name}`, {
      key: ownerKey,
      body: { status: "archived" },
    });
    expect(archived.status).toBe("archived");
  });

  it("refuses invalid YAML with the located errors, and unknown versions", async () => {
    const { ownerKey } = await newOrg();
    const response = await call("POST", "/v1/configurations", {
      key: ownerKey,
      body: {
        name: unique("bad"),
        yaml: "providers:\n  targets:\n    - {id: a, provider: nope, model: m}\n",
      },
    });
    expect(response.status).toBe(400);
    const problem = (await response.json()) as {
      code: string;
      errors: Array<{ path: string; message: string }>;
    };
    expect(problem.code).toBe("invalid_config");
    expect(problem.errors[0]?.path).toBe("3:25");
    const name = unique("ok");
    await json("POST", "/v1/configurations", { key: ownerKey, body: { name, yaml: sampleYaml() } });
    expect(
      (await call("GET", `/v1/configurations/${name}/diff?from=1.0.0&to=9.9.9`, { key: ownerKey }))
        .status,
    ).toBe(404);
    expect(
      (
        await call("PATCH", `/v1/configurations/${name}`, {
          key: ownerKey,
          body: { active_version: "9.9.9" },
        })
      ).status,
    ).toBe(404);
  });
});

describe("gateways and rollout", () => {
  it("rolls a version out to some gateways, then the rest, and back (rollback), with status and runtime state", async () => {
    const { ownerKey } = await newOrg();
    const name = unique("cfg");
    await json("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: sampleYaml("1.0.0"), status: "active" },
    });
    await json("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: sampleYaml("2.0.0") },
    });
    const [a, b] = await Promise.all(
      ["edge-a", "edge-b"].map((label) =>
        json<{ id: string; desired_version: string; gateway_token: string; status: string }>(
          "POST",
          "/v1/gateways",
          { key: ownerKey, body: { name: unique(label), kind: "managed", configuration: name } },
        ),
      ),
    );
    if (!a || !b) throw new Error("gateways");
    expect(a).toMatchObject({ desired_version: "1.0.0", status: "offline" });
    expect(a.gateway_token).toMatch(/^kt_ak_/);

    await json("POST", "/v1/admin/configurations/rollout", {
      key: ownerKey,
      body: { gateway_ids: [a.id], version: "2.0.0" },
      expect: 200,
    });
    let listed = await json<{ gateways: Array<{ id: string; desired_version: string }> }>(
      "GET",
      "/v1/admin/configurations",
      { key: ownerKey },
    );
    expect(listed.gateways.find((gateway) => gateway.id === a.id)?.desired_version).toBe("2.0.0");
    expect(listed.gateways.find((gateway) => gateway.id === b.id)?.desired_version).toBe("1.0.0");
    await json("POST", "/v1/admin/configurations/rollout", {
      key: ownerKey,
      body: { gateway_ids: [b.id], version: "2.0.0" },
      expect: 200,
    });
    await json("POST", "/v1/admin/configurations/rollout", {
      key: ownerKey,
      body: { gateway_ids: [a.id, b.id], version: "1.0.0" },
      expect: 200,
    });
    listed = await json("GET", "/v1/admin/configurations", { key: ownerKey });
    expect(listed.gateways.map((gateway) => gateway.desired_version)).toEqual(["1.0.0", "1.0.0"]);

    // The managed gateway, with its own token, fetches its config and reports back.
    const config = await json<{ config: { version: string; yaml: string } }>(
      "GET",
      `/v1/gateways/${a.id}/config`,
      { key: a.gateway_token },
    );
    expect(config.config).toMatchObject({ version: "1.0.0", yaml: sampleYaml("1.0.0") });
    await json("POST", `/v1/gateways/${a.id}/heartbeat`, {
      key: a.gateway_token,
      body: { running_version: "1.0.0", running_hash: "abc", health: { serving: true } },
      expect: 200,
    });
    const state = await json<{ status: string; running_version: string; running_hash: string }>(
      "GET",
      `/v1/admin/configurations/gateways/${a.id}/runtime-state`,
      { key: ownerKey },
    );
    expect(state).toMatchObject({
      status: "healthy",
      running_version: "1.0.0",
      running_hash: "abc",
    });
    // A gateway token reaches only its own gateway, and nothing else of the org.
    expect(
      (await call("GET", `/v1/gateways/${b.id}/config`, { key: a.gateway_token })).status,
    ).toBe(404);
    expect((await call("GET", "/v1/teams", { key: a.gateway_token })).status).toBe(403);
  });

  it("refuses a rollout to an unknown gateway or version, and a shadow run shows beside the enforced version", async () => {
    const { ownerKey } = await newOrg();
    const name = unique("cfg");
    await json("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: sampleYaml("1.0.0"), status: "active" },
    });
    const gateway = await json<{ id: string }>("POST", "/v1/gateways", {
      key: ownerKey,
      body: { name: unique("gw"), kind: "hosted", configuration: name },
    });
    const unknownGateway = await call("POST", "/v1/admin/configurations/rollout", {
      key: ownerKey,
      body: { gateway_ids: ["gw_nope"], version: "1.0.0" },
    });
    expect(unknownGateway.status).toBe(404);
    expect(await unknownGateway.json()).toMatchObject({ code: "gateway_not_found" });
    const unknownVersion = await call("POST", "/v1/admin/configurations/rollout", {
      key: ownerKey,
      body: { gateway_ids: [gateway.id], version: "3.0.0" },
    });
    expect(unknownVersion.status).toBe(404);
    expect(await unknownVersion.json()).toMatchObject({ code: "version_not_found" });
    await json("POST", "/v1/configurations", {
      key: ownerKey,
      body: { name, yaml: sampleYaml("1.1.0") },
    });
    await json("POST", "/v1/admin/configurations/rollout", {
      key: ownerKey,
      body: { gateway_ids: [gateway.id], version: "1.1.0", mode: "shadow" },
      expect: 200,
    });
    const state = await json<{ desired_version: string; shadow_version: string }>(
      "GET",
      `/v1/admin/configurations/gateways/${gateway.id}/runtime-state`,
      { key: ownerKey },
    );
    expect(state).toMatchObject({ desired_version: "1.0.0", shadow_version: "1.1.0" });
    const rollouts = await env.DB.prepare(
      "SELECT mode FROM rollouts WHERE configuration_id = (SELECT configuration_id FROM gateways WHERE id = ?)",
    )
      .bind(gateway.id)
      .all<{ mode: string }>();
    expect(rollouts.results.map((row) => row.mode)).toEqual(["shadow"]);
  });
});

describe("shadow differences", () => {
  it("lists only the requests where the shadow version decided otherwise", async () => {
    const { ownerKey, orgId } = await newOrg();
    const agree = {
      ...sampleEvent({ orgId, verdict: "redact" }),
      shadow: { version: "1.1.0", verdict: "redact" },
    };
    const differ = {
      ...sampleEvent({ orgId, verdict: "redact" }),
      shadow: { version: "1.1.0", verdict: "block" },
    };
    const none = sampleEvent({ orgId, verdict: "allow" });
    await seed([agree, differ, none]);
    const listed = await json<{ data: Array<{ request_id: string; shadow_verdict: string }> }>(
      "GET",
      "/v1/events?shadow_differs=true",
      { key: ownerKey },
    );
    expect(listed.data.map((event) => event.request_id)).toEqual([differ.request_id]);
    expect(listed.data[0]?.shadow_verdict).toBe("block");
  });
});
