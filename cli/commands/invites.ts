import { Option, type Command } from "commander";
import {
  adminOptions,
  formatTime,
  ORG_ROLES,
  printJson,
  printTable,
  type AdminFlags,
} from "../admin-kit.ts";
import { connect } from "../api-client.ts";

interface Invite {
  id: string;
  email: string;
  role: string;
  team_id: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  accept_url?: string;
}

function state(invite: Invite): string {
  if (invite.accepted_at) return "accepted";
  return invite.expires_at <= Date.now() ? "expired" : "pending";
}

/** Registers `kt invites create|list|revoke` (the /v1/invites API). */
export function registerInvites(invites: Command): void {
  adminOptions(
    invites
      .command("create")
      .description("Invite someone to the org (and a team); prints the accept link once.")
      .requiredOption("--email <email>", "who to invite")
      .addOption(new Option("--role <role>", "their org role").choices(ORG_ROLES).default("member"))
      .option("--team <name-or-id>", "a team they join when they accept"),
  )
    .addHelpText(
      "after",
      `
No mail is sent: give the person the link. It works once, for 7 days; they
accept with POST /v1/invites/accept (the console does it for them).

Examples:
  $ kt invites create --email bob@example.com --role member --team legal
  $ kt invites create --email carol@example.com --role viewer --json`,
    )
    .action(async (flags: AdminFlags & { email: string; role: string; team?: string }) => {
      const api = await connect(flags);
      const created = await api.request<Invite>("POST", "/v1/invites", {
        body: { email: flags.email, role: flags.role, ...(flags.team ? { team: flags.team } : {}) },
      });
      if (flags.json) return printJson(created);
      console.log(`Invited ${created.email} as ${created.role} (${created.id}).`);
      console.log(`Accept link, shown once, valid until ${formatTime(created.expires_at)} UTC:\n`);
      console.log(`  ${created.accept_url ?? ""}`);
    });

  adminOptions(invites.command("list").description("List the org's invites."))
    .addHelpText("after", "\nExample:\n  $ kt invites list")
    .action(async (flags: AdminFlags) => {
      const api = await connect(flags);
      const { data } = await api.request<{ data: Invite[] }>("GET", "/v1/invites");
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["ID", (row) => row.id],
          ["EMAIL", (row) => row.email],
          ["ROLE", (row) => row.role],
          ["TEAM", (row) => row.team_id],
          ["STATE", state],
          ["EXPIRES", (row) => formatTime(row.expires_at)],
        ],
        "No invites.",
      );
    });

  adminOptions(
    invites
      .command("revoke")
      .description("Revoke a pending invite: its link stops working.")
      .argument("<id>", "the invite id (inv_…)"),
  )
    .addHelpText("after", "\nExample:\n  $ kt invites revoke inv_0123")
    .action(async (id: string, flags: AdminFlags) => {
      const api = await connect(flags);
      const revoked = await api.request<{ revoked: true }>(
        "DELETE",
        `/v1/invites/${encodeURIComponent(id)}`,
      );
      if (flags.json) return printJson(revoked);
      console.log(`Revoked invite ${id}.`);
    });
}
