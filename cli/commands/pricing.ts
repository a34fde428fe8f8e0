import { InvalidArgumentError, Option, type Command } from "commander";
import { adminOptions, formatTime, printJson, printTable, type AdminFlags } from "../admin-kit.ts";
import { connect } from "../api-client.ts";
import { parseCurrency } from "./wallets.ts";

interface Price {
  id: string;
  provider: string;
  model: string;
  currency: string;
  input_per_million: number;
  output_per_million: number;
  cached_input_per_million: number | null;
  effective_from: number;
  source: "default" | "org";
  in_effect: boolean;
}

const PROVIDERS = ["openai", "anthropic", "azure-openai", "gemini", "mock"];

/** A price per million tokens: zero or more. */
function parsePrice(value: string): number {
  const number = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(number))
    throw new InvalidArgumentError("expected a price per million tokens, for example 2.5");
  return number;
}

/** An ISO 8601 time as milliseconds. */
function parseTime(value: string): number {
  const time = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}/.test(value) || Number.isNaN(time))
    throw new InvalidArgumentError("expected an ISO 8601 time, for example 2026-09-01");
  return time;
}

/** Registers `kt pricing list|set` (the /v1/pricing API). */
export function registerPricing(pricing: Command): void {
  adminOptions(
    pricing
      .command("list")
      .description("List prices per million tokens: the defaults and the org's own.")
      .option("--provider <name>", "one provider's")
      .option("--model <name>", "one model's"),
  )
    .addHelpText("after", "\nExample:\n  $ kt pricing list --provider openai")
    .action(async (flags: AdminFlags & { provider?: string; model?: string }) => {
      const query = new URLSearchParams();
      if (flags.provider) query.set("provider", flags.provider);
      if (flags.model) query.set("model", flags.model);
      const { data } = await (
        await connect(flags)
      ).request<{ data: Price[] }>("GET", `/v1/pricing${query.size > 0 ? `?${query}` : ""}`);
      if (flags.json) return printJson(data);
      printTable(
        data,
        [
          ["PROVIDER", (row) => row.provider],
          ["MODEL", (row) => row.model],
          ["INPUT", (row) => row.input_per_million],
          ["CACHED", (row) => row.cached_input_per_million],
          ["OUTPUT", (row) => row.output_per_million],
          ["CURRENCY", (row) => row.currency],
          ["FROM", (row) => (row.effective_from === 0 ? "-" : formatTime(row.effective_from))],
          ["SOURCE", (row) => row.source],
          ["IN EFFECT", (row) => (row.in_effect ? "yes" : "")],
        ],
        "No prices.",
      );
    });

  adminOptions(
    pricing
      .command("set")
      .description("Set the org's price of a model per million tokens (overrides the default).")
      .addOption(
        new Option("--provider <name>", "the provider").choices(PROVIDERS).makeOptionMandatory(),
      )
      .requiredOption("--model <name>", "the provider's model name, or * for all its models")
      .requiredOption("--input <price>", "per million prompt tokens", parsePrice)
      .requiredOption("--output <price>", "per million completion tokens", parsePrice)
      .option("--cached-input <price>", "per million cached prompt tokens", parsePrice)
      .addOption(
        new Option("--currency <code>", "the price's currency")
          .argParser(parseCurrency)
          .default("USD"),
      )
      .option("--effective-from <time>", "when it takes effect (ISO 8601; default now)", parseTime),
  )
    .addHelpText(
      "after",
      "\nExample:\n  $ kt pricing set --provider openai --model gpt-4o --input 2.5 --output 10 --cached-input 1.25",
    )
    .action(
      async (
        flags: AdminFlags & {
          provider: string;
          model: string;
          input: number;
          output: number;
          cachedInput?: number;
          currency: string;
          effectiveFrom?: number;
        },
      ) => {
        const price = await (
          await connect(flags)
        ).request<Price>("POST", "/v1/pricing", {
          body: {
            provider: flags.provider,
            model: flags.model,
            currency: flags.currency,
            input_per_million: flags.input,
            output_per_million: flags.output,
            ...(flags.cachedInput !== undefined
              ? { cached_input_per_million: flags.cachedInput }
              : {}),
            ...(flags.effectiveFrom !== undefined ? { effective_from: flags.effectiveFrom } : {}),
          },
        });
        if (flags.json) return printJson(price);
        console.log(
          `Priced ${price.provider} ${price.model}: ${price.input_per_million} in, ${price.output_per_million} out ${price.currency} per million tokens${price.in_effect ? "" : ` from ${formatTime(price.effective_from)}`}.`,
        );
      },
    );
}
