import { Option, type Command } from "commander";
import { adminOptions, formatTime, printJson, printTable, type AdminFlags } from "../admin-kit.ts";
import { connect, type ApiClient } from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface Team {
  id: string;
  name: string;
  description: string | null;
  created_at: number;
}

interface TeamMember {
  user_id: string;
  email: string;
  role: string;
}

const teamPath = (team: string) => `/v1/teams/${encodeURIComponent(team)}`;

/** The user id of a team member named by email (or given as an id). */
async function memberId(
  api: ApiClient,
  team: string,
  person: { email?: string; userId?: string },
): Promise<string> {
  if (person.userId) return person.userId;
  const email = person.email?.toLowerCase() ?? "";
  const { data } = await api.request<{ data: TeamMember[] }>("GET", `${teamPath(team)}/members`);
  const found = data.find((member) => member.email === email);
  if (!found) throw new UserError(`${person.email} is not in team ${team}`, 1);
  return found.user_id;
}

function requirePerson(flags: { email?: string; userId?: string }): void {
  if (!flags.email === !flags.userId)
    throw new UserError("name the person with --email or --user-id (one of them)");
}

/** Registers `kt team create|list|members|add-member|remove-member` (the /v1/teams API). */
export function registerTeam(team: Command): void {
  adminOptions(
    team
      .command("create")
      .description("Create a team (org admins and owners).")
      .requiredOption("--name <name>", "the team's name, unique in the org")
      .option("--description <text>", "what the team is for"),
  )
    .addHelpText(
      "after",
      '\nExample:\n  $ kt team create --name legal --description "Legal and compliance"',
    )
    .action(async (flags: AdminFlags & { name: string; description?: string }) => {
      const api = await connect(flags);
      const created = await api.request<Team>("POST", "/v1/teams", {
        body: {
          name: flags.name,
          ...(flags.description ? { description: flags.description } : {}),
        },
      });
      if (flags.json) return printJson(created);
      console.log(`Created team ${created.name} (${created.id}).`);
    });

  adminOptions(team.command("list").description("List the teams you can see."))
    .addHelpText("after", "\nExamples:\n  $ kt team list\n  $ kt team list --json")
    .action(async (flags: AdminFlags) => {
      const api = await connect(flags);
      const { data } = await api.request<{ data: Team[] }>("GET", "/v1/teams");
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["ID", (row) => row.id],
          ["NAME", (row) => row.name],
          ["DESCRIPTION", (row) => row.description],
          ["CREATED", (row) => formatTime(row.created_at)],
        ],
        "No teams.",
      );
    });

  adminOptions(
    team
      .command("members")
      .description("List a team's members.")
      .requiredOption("--team <name-or-id>", "the team"),
  )
    .addHelpText("after", "\nExample:\n  $ kt team members --team legal")
    .action(async (flags: AdminFlags & { team: string }) => {
      const api = await connect(flags);
      const { data } = await api.request<{ data: TeamMember[] }>(
        "GET",
        `${teamPath(flags.team)}/members`,
      );
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["USER ID", (row) => row.user_id],
          ["EMAIL", (row) => row.email],
          ["ROLE", (row) => row.role],
        ],
        `No members in ${flags.team}.`,
      );
    });

  adminOptions(
    team
      .command("add-member")
      .description("Add a member of the org to a team (org admins, or that team's admins).")
      .requiredOption("--team <name-or-id>", "the team")
      .requiredOption("--email <email>", "the person, already in the org (see kt invites create)")
      .addOption(
        new Option("--role <role>", "their role in the team")
          .choices(["member", "admin"])
          .default("member"),
      ),
  )
    .addHelpText(
      "after",
      "\nExamples:\n  $ kt team add-member --team legal --email bob@example.com --role admin\n  $ kt team add-member --team team_0123 --email ann@example.com",
    )
    .action(async (flags: AdminFlags & { team: string; email: string; role: string }) => {
      const api = await connect(flags);
      const added = await api.request<TeamMember>("POST", `${teamPath(flags.team)}/members`, {
        body: { email: flags.email, role: flags.role },
      });
      if (flags.json) return printJson(added);
      console.log(`Added ${added.email} to ${flags.team} as ${added.role}.`);
    });

  adminOptions(
    team
      .command("remove-member")
      .description("Remove someone from a team (they stay in the org).")
      .requiredOption("--team <name-or-id>", "the team")
      .option("--email <email>", "the person")
      .option("--user-id <id>", "the person, by user id"),
  )
    .addHelpText(
      "after",
      "\nExample:\n  $ kt team remove-member --team legal --email bob@example.com",
    )
    .action(async (flags: AdminFlags & { team: string; email?: string; userId?: string }) => {
      requirePerson(flags);
      const api = await connect(flags);
      const userId = await memberId(api, flags.team, flags);
      const removed = await api.request<{ removed: true }>(
        "DELETE",
        `${teamPath(flags.team)}/members/${encodeURIComponent(userId)}`,
      );
      if (flags.json) return printJson(removed);
      console.log(`Removed ${flags.email ?? userId} from ${flags.team}.`);
    });
}
