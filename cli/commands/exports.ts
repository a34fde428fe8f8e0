import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { readFile, rename, rm } from "node:fs/promises";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { Option, type Command } from "commander";
import type { JWK } from "jose";
import type { IncrementalHash } from "../../workers/control/exports/evidence-format.ts";
import { verifyPacket } from "../../workers/control/exports/verify-packet.ts";
import { adminOptions, formatTime, printJson, type AdminFlags } from "../admin-kit.ts";
import { ApiError, connect, type ApiClient } from "../api-client.ts";
import { UserError } from "../user-error.ts";
import { filterOptions, filtersOf, parseTime, type FilterFlags } from "./events.ts";

interface ExportStatus {
  id: string;
  status: "ready" | "expired";
  format: "json" | "csv";
  evidence: boolean;
  from: number;
  to: number;
  filters: Record<string, string>;
  row_count: number;
  created_at: number;
  expires_at: number;
  download_url: string;
  evidence_url: string | null;
}

const exportPath = (id: string) => `/v1/exports/${encodeURIComponent(id)}`;

function printStatus(row: ExportStatus): void {
  const filters = Object.entries(row.filters).map(([name, value]) => `${name}=${value}`);
  console.log(
    `${row.id}  ${row.status}, ${row.row_count} rows, ${row.format}${row.evidence ? " + evidence packet" : ""}`,
  );
  console.log(`  window   ${formatTime(row.from)} to ${formatTime(row.to)} UTC`);
  console.log(`  filters  ${filters.length ? filters.join(", ") : "none"}`);
  console.log(`  expires  ${formatTime(row.expires_at)} UTC`);
}

/** An incremental SHA-256 from node:crypto, for the packet verifier. */
function nodeHash(): IncrementalHash {
  const hash = createHash("sha256");
  return {
    update: (text) => void hash.update(text, "utf8"),
    digest: async () => hash.digest("hex"),
  };
}

/** The keys in a JWK or JWKS file (`kt export signing-key` writes one). */
async function readKeys(file: string): Promise<JWK[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw new UserError(`${file}: not a JSON key file (${(error as Error).message})`);
  }
  const keys = (parsed as { keys?: unknown }).keys ?? [parsed];
  if (!Array.isArray(keys) || keys.some((key) => typeof (key as JWK).x !== "string"))
    throw new UserError(`${file}: expected an Ed25519 JWK or a JWKS ({"keys": [...]})`);
  return keys as JWK[];
}

/**
 * Streams an authenticated download to a file (through `<file>.part`, renamed at
 * the end, so a broken download never leaves a file that looks whole) or stdout.
 */
async function download(api: ApiClient, pathname: string, output: string): Promise<void> {
  if (!api.token) throw new UserError("no access key: set KEEPTRUSTS_API_TOKEN or run kt login");
  const response = await fetch(new URL(pathname.replace(/^\//, ""), api.baseUrl), {
    headers: { authorization: `Bearer ${api.token}` },
  }).catch((error: unknown) => {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? "no answer";
    throw new UserError(`cannot reach the control API at ${api.baseUrl.origin} (${cause})`, 1);
  });
  if (!response.ok || !response.body) {
    const problem = (await response.json().catch(() => ({}))) as { code?: string; detail?: string };
    throw new ApiError(
      response.status,
      problem.code ?? `http_${response.status}`,
      problem.detail ?? "download failed",
    );
  }
  const body = Readable.fromWeb(response.body as unknown as NodeReadableStream<Uint8Array>);
  if (output === "-") return pipeline(body, process.stdout);
  const partial = `${output}.part`;
  try {
    await pipeline(body, createWriteStream(partial));
    await rename(partial, output);
  } catch (error) {
    await rm(partial, { force: true });
    throw new UserError(`${output}: the download broke off (${(error as Error).message})`, 1);
  }
}

async function verify(file: string, flags: { publicKey?: string; json?: boolean }): Promise<void> {
  const pinned = flags.publicKey ? await readKeys(flags.publicKey) : undefined;
  const input = createReadStream(file, "utf8");
  const opened = new Promise<void>((resolve, reject) => {
    input.once("open", () => resolve());
    input.once("error", reject);
  });
  try {
    await opened;
  } catch (error) {
    throw new UserError(`${file}: cannot be read (${(error as NodeJS.ErrnoException).code})`);
  }
  const lines = createInterface({ input, crlfDelay: Infinity });
  const result = await verifyPacket(lines, {
    hash: nodeHash,
    ...(pinned ? { pinnedKeys: pinned } : {}),
  });
  if (flags.json) printJson(result);
  const summary = result.summary;
  if (!result.ok) {
    if (!flags.json) for (const problem of result.problems) console.error(`  ${problem}`);
    throw new UserError(`${file}: does not verify: ${result.problems[0] ?? "unknown problem"}`, 1);
  }
  if (flags.json) return;
  console.log(`${file}: verified`);
  console.log(`  export   ${summary.export_id} of org ${summary.org_id}`);
  console.log(
    `  rows     ${summary.events} events (${summary.unchained_events} unchained), ${summary.links} links, ${summary.chains} chains, ${summary.configurations} configuration versions`,
  );
  console.log(
    `  signed   by key ${summary.kid}${pinned ? " (a pinned key)" : " (the key in the packet; pin the org's with --public-key)"}`,
  );
  if (summary.key_protection === "plaintext")
    console.log(
      "  note     the org's private key is stored unsealed (no KEEPTRUSTS_SIGNING_SECRET)",
    );
  if (summary.missing_configurations.length)
    console.log(
      `  note     ${summary.missing_configurations.length} configuration hashes are not stored versions (bundled configs): ${summary.missing_configurations.join(", ")}`,
    );
}

type CreateFlags = AdminFlags &
  FilterFlags & { from: number; to: number; format: "json" | "csv"; evidence?: boolean };

/** Registers `kt export create|status|download|verify|signing-key` (the /v1/exports API). */
export function registerExports(exports: Command): void {
  const create = exports
    .command("create")
    .description("Export decision events of a time window (owners, admins; members their own).")
    .addOption(
      new Option("--from <time>", "at or after (ISO 8601)")
        .argParser(parseTime)
        .makeOptionMandatory(),
    )
    .addOption(
      new Option("--to <time>", "before (ISO 8601)").argParser(parseTime).makeOptionMandatory(),
    )
    .addOption(
      new Option("--format <format>", "rows as csv or json (JSON lines)")
        .choices(["csv", "json"])
        .default("json"),
    )
    .option("--evidence", "also make a signed evidence packet (owners and admins)");
  adminOptions(filterOptions(create))
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt export create --from 2026-07-01 --to 2026-08-01 --format csv\n  $ kt export create --from 2026-07-01 --to 2026-08-01 --verdict block --evidence",
    )
    .action(async (flags: CreateFlags) => {
      const created = await (
        await connect(flags)
      ).request<ExportStatus>("POST", "/v1/exports", {
        body: {
          from: flags.from,
          to: flags.to,
          format: flags.format,
          evidence: flags.evidence === true,
          filters: filtersOf(flags),
        },
      });
      if (flags.json) return printJson(created);
      printStatus(created);
      console.log(
        `\nDownload: kt export download ${created.id}${created.evidence ? "   (the evidence packet; --rows for the rows)" : ""}`,
      );
    });

  adminOptions(
    exports
      .command("status")
      .description("Show an export: its window, filters, rows and expiry.")
      .argument("<id>", "the export id (exp_…)"),
  )
    .addHelpText("after", "\nExample:\n  $ kt export status exp_4f1c…")
    .action(async (id: string, flags: AdminFlags) => {
      const row = await (await connect(flags)).request<ExportStatus>("GET", exportPath(id));
      if (flags.json) return printJson(row);
      printStatus(row);
    });

  adminOptions(
    exports
      .command("download")
      .description("Download an export: the evidence packet of an evidence export, else its rows.")
      .argument("<id>", "the export id (exp_…)")
      .option(
        "--output <file>",
        "where to write it (- for stdout; default: the export's file name)",
      )
      .option("--rows", "the rows (CSV or JSON lines) even for an evidence export"),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt export download exp_4f1c… --output july.csv\n  $ kt export download exp_4f1c… && kt export verify exp_4f1c….evidence.jsonl",
    )
    .action(async (id: string, flags: AdminFlags & { output?: string; rows?: boolean }) => {
      const api = await connect(flags);
      const row = await api.request<ExportStatus>("GET", exportPath(id));
      const packet = row.evidence && !flags.rows && row.evidence_url !== null;
      const output =
        flags.output ??
        (packet
          ? `${row.id}.evidence.jsonl`
          : `${row.id}.${row.format === "csv" ? "csv" : "jsonl"}`);
      await download(api, packet ? (row.evidence_url ?? "") : row.download_url, output);
      if (output === "-") return;
      console.error(
        `Wrote ${packet ? "the evidence packet" : `${row.row_count} rows`} to ${output}.`,
      );
      if (packet) console.error(`Verify: kt export verify ${output}`);
    });

  exports
    .command("verify")
    .description(
      "Check an evidence packet offline: row hashes, chain links, file hashes and the signature.",
    )
    .argument("<packet>", "the packet file (from kt export download)")
    .option(
      "--public-key <file>",
      "the org's public key (JWK or JWKS, from kt export signing-key) to pin",
    )
    .option("--json", "print the verification result as JSON")
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt export verify exp_4f1c….evidence.jsonl\n  $ kt export verify packet.jsonl --public-key org-signing-key.json",
    )
    .action(verify);

  adminOptions(
    exports
      .command("signing-key")
      .description("Print or save the org's public signing keys (JWKS), to pin when verifying.")
      .option("--output <file>", "write the JWKS to a file instead of printing it"),
  )
    .addHelpText("after", "\nExample:\n  $ kt export signing-key --output org-signing-key.json")
    .action(async (flags: AdminFlags & { output?: string }) => {
      const api = await connect(flags);
      if (flags.output) {
        await download(api, "/v1/exports/signing-key", flags.output);
        console.error(`Wrote the org's public keys to ${flags.output}.`);
        return;
      }
      printJson(await api.request("GET", "/v1/exports/signing-key"));
    });
}
