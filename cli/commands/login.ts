import type { Command } from "commander";
import { adminOptions, printJson, type AdminFlags } from "../admin-kit.ts";
import {
  apiClient,
  credentialsPath,
  DEFAULT_API_URL,
  readCredentials,
  removeCredentials,
  writeCredentials,
} from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface LoginFlags extends AdminFlags {
  token?: string;
}

interface Me {
  org: { id: string; name: string };
  user: { id: string; email: string } | null;
  role: string;
  key_id: string | null;
  permissions: string[];
}

async function login(flags: LoginFlags): Promise<void> {
  const token = flags.token ?? process.env.KEEPTRUSTS_API_TOKEN;
  if (!token)
    throw new UserError("pass the access key with --token kt_ak_… (or KEEPTRUSTS_API_TOKEN)");
  if (token.startsWith("kt_gk_"))
    throw new UserError(
      "kt_gk_… is a gateway key, for the gateway; log in with an access key (kt_ak_…)",
    );
  if (!token.startsWith("kt_ak_")) throw new UserError("an access key starts with kt_ak_");
  const apiUrl =
    flags.apiUrl ??
    (process.env.KEEPTRUSTS_API_URL ||
      (await readCredentials().catch(() => undefined))?.api_url ||
      DEFAULT_API_URL);
  const me = await apiClient(apiUrl, token).request<Me>("GET", "/v1/me");
  const file = await writeCredentials({ api_url: apiUrl, token });
  if (flags.json) {
    printJson({ ...me, api_url: apiUrl, credentials: file });
    return;
  }
  const who = me.user?.email ?? `key ${me.key_id ?? "?"}`;
  console.log(`Logged in to ${apiUrl} as ${who}, ${me.role} of "${me.org.name}".`);
  console.log(`Credentials saved in ${file} (readable by you only).`);
}

async function logout(): Promise<void> {
  const file = credentialsPath();
  if (!(await removeCredentials())) {
    console.log(`Not logged in (no ${file}).`);
    return;
  }
  console.log(`Logged out: removed ${file}.`);
  console.log("The key itself still works until revoked: kt tokens revoke <id>.");
}

/** Registers `kt login` and `kt logout`: an access key kept in the user's config folder. */
export function registerLogin(program: Command): void {
  adminOptions(
    program
      .command("login")
      .description(
        "Check an access key against the control API (GET /v1/me) and store it for later kt commands.",
      )
      .option("--token <key>", "the access key, kt_ak_… (default: KEEPTRUSTS_API_TOKEN)"),
  )
    .addHelpText(
      "after",
      `
The key and the API URL are written to $XDG_CONFIG_HOME/keeptrusts/credentials.json
(~/.config/keeptrusts/credentials.json by default) with mode 0600. Later commands
use them when KEEPTRUSTS_API_TOKEN is not set, and only against that same URL.

Examples:
  $ kt login --api-url http://127.0.0.1:41003 --token kt_ak_...
  $ KEEPTRUSTS_API_TOKEN=kt_ak_... kt login --api-url https://control.example.com`,
    )
    .action(login);

  program
    .command("logout")
    .description("Forget the access key stored by kt login (the key stays valid until revoked).")
    .addHelpText(
      "after",
      `
Example:
  $ kt logout`,
    )
    .action(logout);
}
