import type { Command } from "commander";
import { adminOptions, printJson, type AdminFlags } from "../admin-kit.ts";
import { ApiError, connect } from "../api-client.ts";
import { UserError } from "../user-error.ts";

interface InitFlags extends AdminFlags {
  org: string;
  email: string;
  name?: string;
  password?: string;
  bootstrapToken?: string;
}

interface Bootstrapped {
  org: { id: string; name: string };
  user: { id: string; email: string };
  access_key: string;
  key_id: string;
}

async function init(flags: InitFlags): Promise<void> {
  const api = await connect(flags);
  const token = flags.bootstrapToken ?? process.env.KEEPTRUSTS_BOOTSTRAP_TOKEN;
  let created: Bootstrapped;
  try {
    created = await api.request<Bootstrapped>("POST", "/v1/bootstrap", {
      authenticated: false,
      body: {
        org: flags.org,
        email: flags.email,
        ...(flags.name ? { name: flags.name } : {}),
        ...(flags.password ? { password: flags.password } : {}),
      },
      ...(token ? { headers: { "x-keeptrusts-bootstrap-token": token } } : {}),
    });
  } catch (error) {
    if (error instanceof ApiError && error.code === "already_bootstrapped")
      throw new UserError(
        "already_bootstrapped: this control API has an org already; to add another, pass the worker's KEEPTRUSTS_BOOTSTRAP_TOKEN with --bootstrap-token",
        1,
      );
    throw error;
  }
  if (flags.json) {
    printJson(created);
    return;
  }
  console.log(
    `Created org "${created.org.name}" (${created.org.id}) with its owner ${created.user.email} (${created.user.id}).`,
  );
  console.log("\nOwner access key, shown once; store it now:\n");
  console.log(`  ${created.access_key}\n`);
  console.log(
    `Use it: export KEEPTRUSTS_API_TOKEN=<the key>, or kt login --api-url ${api.baseUrl.origin} --token <the key>`,
  );
}

/** Registers `kt init`: the first org, its owner and an owner access key (POST /v1/bootstrap). */
export function registerInit(program: Command): void {
  adminOptions(
    program
      .command("init")
      .description(
        "Create an org and its owner on a control API, and print an owner access key once.",
      )
      .requiredOption("--org <name>", "the org's name")
      .requiredOption("--email <email>", "the owner's email")
      .option("--name <name>", "the owner's display name")
      .option("--password <password>", "a password (12+ characters) for signing in to the console")
      .option(
        "--bootstrap-token <token>",
        "the worker's KEEPTRUSTS_BOOTSTRAP_TOKEN, needed once an org exists (default: KEEPTRUSTS_BOOTSTRAP_TOKEN)",
      ),
  )
    .addHelpText(
      "after",
      `
Without a bootstrap token, init works only while the control API has no org yet.
The access key is printed once and stored only as a hash: keep it in a secret
store, or run "kt login" with it. Exits 1 when the API refuses.

Examples:
  $ kt init --api-url http://127.0.0.1:41003 --org acme --email ann@example.com
  $ KEEPTRUSTS_BOOTSTRAP_TOKEN=... kt init --api-url https://control.example.com \\
      --org second-org --email bob@example.com --json`,
    )
    .action(init);
}
