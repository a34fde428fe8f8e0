import { z } from "zod";
import type { ConfigError } from "../config/parse.ts";
import { formatPath, locate, parseYaml } from "../config/locate.ts";

const verdict = z.enum(["allow", "redact", "block", "escalate"]);

/** One test case: an input (and optionally a provider answer) and what the chain must do with it. */
export const policyCaseSchema = z
  .object({
    name: z.string().min(1),
    input: z.string().optional(),
    messages: z
      .array(z.looseObject({ role: z.string(), content: z.string().nullable().optional() }))
      .min(1)
      .optional(),
    identity: z
      .object({
        org: z.string().optional(),
        team: z.string().optional(),
        teams: z.array(z.string()).optional(),
        role: z.string().optional(),
        user: z.string().optional(),
        key: z.string().optional(),
      })
      .strict()
      .optional(),
    model: z.string().optional(),
    consumer_group: z.string().optional(),
    output: z.string().optional(),
    expect: z
      .object({
        verdict: verdict.optional(),
        redacted: z.string().optional(),
        blocked_by: z.string().optional(),
        findings: z.array(z.string()).optional(),
        output: z.string().optional(),
        output_verdict: z.enum(["allow", "redact", "block", "log"]).optional(),
      })
      .strict(),
  })
  .strict()
  .refine(
    (value) =>
      (value.input === undefined) !== (value.messages === undefined) ||
      (value.input === undefined && value.messages === undefined && value.output !== undefined),
    "give input or messages (or only output)",
  );

/** A validated case. */
export type PolicyCase = z.infer<typeof policyCaseSchema>;

const caseFileSchema = z.object({ cases: z.array(policyCaseSchema).min(1) }).strict();

/** Parses a cases file (YAML or JSON); errors carry line and column like the config parser's. */
export function parseCaseFile(
  text: string,
): { ok: true; cases: PolicyCase[] } | { ok: false; errors: ConfigError[] } {
  const yaml = parseYaml(text);
  if (!yaml.ok) return { ok: false, errors: yaml.errors };
  const { document, lines } = yaml;
  const parsed = caseFileSchema.safeParse(document.toJS());
  if (parsed.success) return { ok: true, cases: parsed.data.cases };
  return {
    ok: false,
    errors: parsed.error.issues.map((issue) => {
      const where = locate(document, lines, issue.path);
      return {
        path: formatPath(issue.path),
        ...where,
        message: `${formatPath(issue.path) || "cases"}: ${issue.message}`,
      };
    }),
  };
}
