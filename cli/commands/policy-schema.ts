import type { Command } from "commander";
import { policyConfigJsonSchema } from "../../workers/policy/config/json-schema.ts";

/** Registers `kt policy schema`: the JSON Schema of policy-config.yaml, for editors. */
export function registerPolicySchema(policy: Command): void {
  policy
    .command("schema")
    .description(
      "Print the JSON Schema (draft 2020-12) of policy-config.yaml, for editor completion and checks.",
    )
    .addHelpText(
      "after",
      `
The schema covers every registered policy's settings under policy.<name> and both
forms of "policies" (the chain form and the list form). It helps editors; the
authority remains "kt policy lint", which also checks what a schema cannot
(duplicate target ids, consumer groups naming unknown models).

Examples:
  $ kt policy schema > policy-config.schema.json
  then, first line of policy-config.yaml (VS Code YAML extension, yaml-language-server):
  # yaml-language-server: $schema=./policy-config.schema.json`,
    )
    .action(() => {
      console.log(JSON.stringify(policyConfigJsonSchema(), null, 2));
    });
}
