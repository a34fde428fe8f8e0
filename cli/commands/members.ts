import { Option, type Command } from "commander";
import {
  adminOptions,
  formatTime,
  ORG_ROLES,
  printJson,
  printTable,
  type AdminFlags,
} from "../admin-kit.ts";
import { connect, type ApiClient } from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface Member {
  user_id: string;
  email: string;
  name: string | null;
  role: string;
  joined_at: number;
}

interface PersonFlags extends AdminFlags {
  email?: string;
  userId?: string;
}

/** The user id of an org member named by email (or given as an id). */
async function memberId(api: ApiClient, flags: PersonFlags): Promise<string> {
  if (!flags.email === !flags.userId)
    throw new UserError("name the person with --email or --user-id (one of them)");
  if (flags.userId) return flags.userId;
  const email = flags.email?.toLowerCase();
  const { data } = await api.request<{ data: Member[] }>("GET", "/v1/members");
  const found = data.find((member) => member.email === email);
  if (!found) throw new UserError(`${flags.email} is not a member of this org`, 1);
  return found.user_id;
}

function person(command: Command): Command {
  return command
    .option("--email <email>", "the person")
    .option("--user-id <id>", "the person, by user id");
}

/** Registers `kt members list|set-role|remove` (the /v1/members API). */
export function registerMembers(members: Command): void {
  adminOptions(members.command("list").description("List the org's members and their roles."))
    .addHelpText("after", "\nExamples:\n  $ kt members list\n  $ kt members list --json")
    .action(async (flags: AdminFlags) => {
      const api = await connect(flags);
      const { data } = await api.request<{ data: Member[] }>("GET", "/v1/members");
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["USER ID", (row) => row.user_id],
          ["EMAIL", (row) => row.email],
          ["NAME", (row) => row.name],
          ["ROLE", (row) => row.role],
          ["JOINED", (row) => formatTime(row.joined_at)],
        ],
        "No members.",
      );
    });

  adminOptions(
    person(
      members
        .command("set-role")
        .description(
          "Change someone's org role. Only owners touch owners; the last owner stays an owner.",
        ),
    ).addOption(
      new Option("--role <role>", "the new role").choices(ORG_ROLES).makeOptionMandatory(),
    ),
  )
    .addHelpText(
      "after",
      `
A demotion applies at once, to the person's existing keys too.

Examples:
  $ kt members set-role --email bob@example.com --role admin
  $ kt members set-role --user-id usr_0123 --role viewer`,
    )
    .action(async (flags: PersonFlags & { role: string }) => {
      const api = await connect(flags);
      const userId = await memberId(api, flags);
      const changed = await api.request<Member>(
        "PATCH",
        `/v1/members/${encodeURIComponent(userId)}`,
        {
          body: { role: flags.role },
        },
      );
      if (flags.json) return printJson(changed);
      console.log(`${changed.email} is now ${changed.role}.`);
    });

  adminOptions(
    person(
      members
        .command("remove")
        .description("Remove someone from the org: their keys are revoked and their sessions end."),
    ),
  )
    .addHelpText("after", "\nExample:\n  $ kt members remove --email bob@example.com")
    .action(async (flags: PersonFlags) => {
      const api = await connect(flags);
      const userId = await memberId(api, flags);
      const removed = await api.request<{ removed: true }>(
        "DELETE",
        `/v1/members/${encodeURIComponent(userId)}`,
      );
      if (flags.json) return printJson(removed);
      console.log(`Removed ${flags.email ?? userId}; their keys are revoked.`);
    });
}
