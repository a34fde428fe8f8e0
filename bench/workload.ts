/**
 * What the benchmark sends and how the targets are configured: one realistic
 * prompt (about 2.5 KB, with emails, phones and a Luhn-valid card so the PII
 * detector redacts for real) and the two gateway configs (chain off, chain on).
 */

/** The model name every target serves. */
export const MODEL = "bench-model";

const SYSTEM = [
  "You are the support assistant of a mid-sized online retailer. Answer in a friendly,",
  "concise tone, cite the order number when you refer to an order, and never promise a",
  "refund amount before the billing team has confirmed it. Summaries should fit in a",
  "short paragraph that an account manager can paste into the customer record.",
].join(" ");

/**
 * Replaced by a unique 27-character id in every request (autocannon's
 * `idReplacement`; the stream client and the wrk script do the same), so no
 * cache keyed by the prompt (prompt-injection keeps one) turns the work into a
 * lookup: every request is scanned for real.
 */
export const ID_PLACEHOLDER = "[<id>]";

/** A 27-character request id (as long as autocannon's), letters and short digit runs only. */
export function uniqueId(counter: number): string {
  return `r${counter.toString(36)}`.padEnd(27, "q");
}

const USER_PARAGRAPHS = [
  `Ticket ${ID_PLACEHOLDER}.`,
  "Hello, I am writing on behalf of Margaret Ellison about order 88120457, which was",
  "delivered last Tuesday with two items missing from the parcel (a pair of walking boots",
  "and a rain jacket in size medium). She tried the online returns form twice but it kept",
  "timing out on the payment step, so she would like the missing items re-shipped or the",
  "amount credited back to the card she used, which is 4111 1111 1111 1111 with expiry",
  "in the autumn of next year. Please send the confirmation to margaret.ellison@example.com",
  "and copy me at jonas.weber@example.net so that I can keep our household records up to",
  "date. If a phone call is easier, she is reachable on +44 20 7946 0958 in the mornings",
  "and I can be reached on (415) 555-0132 most afternoons.",
  "",
  "For context, this is the third order in a row with a problem. Order 87991203 arrived",
  "two weeks late and order 87650981 contained the wrong colour of the same jacket, which",
  "she kept because exchanging it seemed like more trouble than it was worth. She has been",
  "a customer for more than eight years and would prefer not to move her business",
  "elsewhere, but she would appreciate an explanation of what went wrong with the warehouse",
  "and whether the new courier is the reason for the repeated delays. The parcel from last",
  "Tuesday also looked as if it had been opened and re-taped, which is worth passing on to",
  "whoever handles courier complaints.",
  "",
  "Could you please summarise the situation for the account manager, list the items that",
  "need to be re-shipped or refunded, propose a goodwill gesture that fits your usual",
  "policy for repeated delivery problems, and draft a short reply that I can forward to",
  "her? Please keep the reply polite and brief, and mention the expected re-shipping date",
  "if the items are in stock at the main warehouse. Thank you very much for your help,",
  "and apologies for the long message.",
];

/** The user message: about 1.9 KB of prose with 2 emails, 2 phones and 1 card. */
export const USER_PROMPT = USER_PARAGRAPHS.join("\n");

/** The chat messages of every benchmark request. */
export const MESSAGES = [
  { role: "system", content: SYSTEM },
  { role: "user", content: USER_PROMPT },
];

/** The body of a non-streamed request. */
export const JSON_BODY = JSON.stringify({ model: MODEL, messages: MESSAGES, max_tokens: 256 });

/** The body of a streamed request (usage asked for, so every target sends the same frames). */
export const STREAM_BODY = JSON.stringify({
  model: MODEL,
  messages: MESSAGES,
  max_tokens: 256,
  stream: true,
  stream_options: { include_usage: true },
});

function providers(upstream: string): string {
  return [
    "providers:",
    "  targets:",
    "    - id: fake-provider",
    "      provider: openai",
    `      model: ${MODEL}`,
    `      base_url: ${upstream}`,
  ].join("\n");
}

/** A gateway config with no policies: routing, validation and events only. */
export function chainOffConfig(upstream: string): string {
  return ["pack:", "  name: bench-chain-off", providers(upstream), ""].join("\n");
}

/** A gateway config with the full chain: prompt-injection, pii-detector, audit-logger. */
export function chainOnConfig(upstream: string): string {
  return [
    "pack:",
    "  name: bench-chain-on",
    providers(upstream),
    "policies:",
    "  chain:",
    "    - prompt-injection",
    "    - pii-detector",
    "    - audit-logger",
    "policy:",
    "  prompt-injection:",
    "    action: block",
    "    threshold: 0.5",
    "  pii-detector:",
    "    action: redact",
    "    types: [email, phone, credit_card]",
    "    redaction:",
    "      marker_format: label",
    "  audit-logger:",
    "    retention_days: 90",
    "    content: redacted",
    "",
  ].join("\n");
}
