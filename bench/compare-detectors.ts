/**
 * Our PII detectors against the best offline detectors on npm (redact-pii,
 * @openredaction/openredaction): the same labelled corpus, the same span
 * scoring (workers/policy/test/fixtures/scoring.ts), and throughput in MB/s on
 * the corpus and on 1 KB / 16 KB / 1 MiB inputs. Writes bench/DETECTORS.md.
 * Run with `node bench/compare-detectors.ts` (takes a few minutes: the other
 * detectors need tens of seconds to minutes for 1 MiB).
 */
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { OpenRedaction } from "@openredaction/openredaction";
import { format, resolveConfig } from "prettier";
import { SyncRedactor } from "redact-pii";
import * as builtIns from "redact-pii/lib/built-ins/simple-regexp-patterns.js";
import { findPii, PII_DETECTORS } from "../workers/policy/detect/pii-patterns.ts";
import {
  loadHardNegatives,
  loadPii,
  type LabelledText,
} from "../workers/policy/test/fixtures/corpus.ts";
import {
  countText,
  microScore,
  scoreOf,
  type Counts,
  type TypedSpan,
} from "../workers/policy/test/fixtures/scoring.ts";

type Detect = (text: string) => TypedSpan[] | Promise<TypedSpan[]>;

interface Contender {
  name: string;
  /** Our types it can report, after mapping its type names. */
  types: ReadonlySet<string>;
  /** Spans for scoring (mapped types only). */
  detect: Detect;
  /** The detector as a user runs it (default configuration), for throughput. */
  run: (text: string) => unknown;
  /** Configured down to the mapped types, for throughput. */
  runMapped: (text: string) => unknown;
}

const OUR_TYPES = Object.keys(PII_DETECTORS);

// redact-pii runs its built-in regexes in this order, each replacing what it finds.
const REDACT_PII_ORDER = [
  "creditCardNumber",
  "streetAddress",
  "zipcode",
  "phoneNumber",
  "ipAddress",
  "usSocialSecurityNumber",
  "emailAddress",
  "username",
  "password",
  "credentials",
  "digits",
  "url",
] as const;
const REDACT_PII_TYPES: Readonly<Record<string, string>> = {
  creditCardNumber: "credit_card",
  streetAddress: "street_address",
  phoneNumber: "phone",
  ipAddress: "ip_address",
  usSocialSecurityNumber: "ssn",
  emailAddress: "email",
};
const OPEN = "\uE000";
const CLOSE = "\uE001";

/**
 * redact-pii replaces matches and reports no positions. So the scored run is a
 * SyncRedactor whose redactors are its own built-in regexes, in its order, each
 * replacing a match with the match wrapped in private-use markers and a type
 * code; the markers give the spans back. A match nested in an earlier one is
 * dropped, as the earlier replacement would have hidden it.
 */
function redactPiiSpans(mappedOnly: boolean): Detect {
  const names = REDACT_PII_ORDER.filter((name) => !mappedOnly || name in REDACT_PII_TYPES);
  const redactor = new SyncRedactor({
    builtInRedactors: Object.fromEntries(
      [...REDACT_PII_ORDER, "names"].map((name) => [name, { enabled: false }]),
    ),
    customRedactors: {
      before: names.map((name, code) => ({
        regexpPattern: builtIns[name],
        replaceWith: `${OPEN}${String.fromCharCode(0xe100 + code)}$&${CLOSE}`,
      })),
    },
  });
  return (text) => {
    const marked = redactor.redact(text);
    const spans: TypedSpan[] = [];
    const open: Array<{ start: number; code: number }> = [];
    let position = 0;
    for (let index = 0; index < marked.length; index += 1) {
      const character = marked[index];
      if (character === OPEN) {
        open.push({ start: position, code: marked.charCodeAt(index + 1) - 0xe100 });
        index += 1;
      } else if (character === CLOSE) {
        const entry = open.pop();
        const type = entry ? REDACT_PII_TYPES[names[entry.code] ?? ""] : undefined;
        if (entry && type && open.length === 0)
          spans.push({ type, start: entry.start, end: position });
      } else {
        position += 1;
      }
    }
    return spans;
  };
}

/** OpenRedaction type names that mean one of ours. */
const OPENREDACTION_TYPES: Readonly<Record<string, string>> = {
  EMAIL: "email",
  PHONE_US: "phone",
  PHONE_UK: "phone",
  PHONE_UK_MOBILE: "phone",
  PHONE_INTERNATIONAL: "phone",
  CREDIT_CARD: "credit_card",
  SSN: "ssn",
  IBAN: "iban",
  UK_BANK_ACCOUNT_IBAN: "iban",
  IPV4: "ip_address",
  IPV6: "ip_address",
  DATE_OF_BIRTH: "date_of_birth",
  ADDRESS_STREET: "street_address",
  ADDRESS_PO_BOX: "street_address",
  PASSPORT_US: "passport",
  PASSPORT_UK: "passport",
  PASSPORT_MRZ_TD1: "passport",
  PASSPORT_MRZ_TD3: "passport",
  DRIVING_LICENSE_US: "drivers_license",
  DRIVING_LICENSE_UK: "drivers_license",
  AWS_ACCESS_KEY: "aws_access_key",
  AWS_SECRET_KEY: "api_key",
  GOOGLE_API_KEY: "api_key",
  STRIPE_API_KEY: "api_key",
  GITHUB_TOKEN: "api_key",
  SLACK_TOKEN: "api_key",
  SENDGRID_API_KEY: "api_key",
  NPM_TOKEN: "api_key",
  PYPI_TOKEN: "api_key",
  TWILIO_API_KEY: "api_key",
  MAILGUN_API_KEY: "api_key",
  HEROKU_API_KEY: "api_key",
  FIREBASE_API_KEY: "api_key",
  GENERIC_API_KEY: "api_key",
  GENERIC_SECRET: "api_key",
  OAUTH_CLIENT_SECRET: "api_key",
  BEARER_TOKEN: "api_key",
  PRIVATE_KEY: "private_key",
  SSH_PRIVATE_KEY: "private_key",
  JWT_TOKEN: "jwt",
};

function openRedaction(mappedOnly: boolean): OpenRedaction {
  return new OpenRedaction(mappedOnly ? { patterns: Object.keys(OPENREDACTION_TYPES) } : {});
}

function contenders(): Contender[] {
  const ours = Object.values(PII_DETECTORS);
  const runOurs = (text: string) => findPii(text, ours);
  const redactDefault = new SyncRedactor();
  const redactMapped = new SyncRedactor({
    builtInRedactors: Object.fromEntries(
      [...REDACT_PII_ORDER, "names"]
        .filter((name) => !(name in REDACT_PII_TYPES))
        .map((name) => [name, { enabled: false }]),
    ),
  });
  const orScored = openRedaction(true);
  const orDefault = openRedaction(false);
  return [
    {
      name: "keeptrusts pii-detector",
      types: new Set(OUR_TYPES),
      detect: runOurs,
      run: runOurs,
      runMapped: runOurs,
    },
    {
      name: "redact-pii 3.4 (SyncRedactor)",
      types: new Set(Object.values(REDACT_PII_TYPES)),
      detect: redactPiiSpans(true),
      run: (text) => redactDefault.redact(text),
      runMapped: (text) => redactMapped.redact(text),
    },
    {
      name: "@openredaction/openredaction 1.0",
      types: new Set(Object.values(OPENREDACTION_TYPES)),
      detect: async (text) =>
        (await orScored.detect(text)).detections.flatMap((detection) => {
          const type = OPENREDACTION_TYPES[detection.type];
          const [start, end] = detection.position;
          return type ? [{ type, start, end }] : [];
        }),
      run: (text) => orDefault.detect(text),
      runMapped: (text) => orScored.detect(text),
    },
  ];
}

async function score(
  contender: Contender,
  texts: readonly LabelledText[],
): Promise<Map<string, Counts>> {
  const counts = new Map<string, Counts>();
  for (const { text, spans } of texts) countText(spans, await contender.detect(text), counts);
  return counts;
}

const megabytes = (texts: readonly string[]) =>
  texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1e6;

/** CPU seconds of this process: other processes on a shared machine do not count against a detector. */
function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * MB/s of `run` over `texts`, in CPU time: the median of up to seven rounds,
 * each repeating the texts for about 0.3 s, after one warm-up round. A detector
 * whose single pass takes over 20 s gets that one pass measured.
 */
async function throughput(
  run: (text: string) => unknown,
  texts: readonly string[],
): Promise<number> {
  const pass = async (repeats: number) => {
    const started = cpuSeconds();
    for (let repeat = 0; repeat < repeats; repeat += 1) for (const text of texts) await run(text);
    return (cpuSeconds() - started) / repeats;
  };
  const first = await pass(1);
  if (first > 20) return megabytes(texts) / first;
  const repeats = Math.max(1, Math.ceil(0.3 / Math.max(first, 1e-4)));
  const rounds: number[] = [];
  for (let spent = 0; rounds.length < 7 && (rounds.length < 3 || spent < 6);) {
    const seconds = await pass(repeats);
    rounds.push(seconds);
    spent += seconds * repeats;
  }
  rounds.sort((a, b) => a - b);
  return megabytes(texts) / (rounds[Math.floor(rounds.length / 2)] ?? first);
}

function sized(texts: readonly string[], bytes: number): string {
  let out = "";
  for (let index = 0; Buffer.byteLength(out) < bytes; index += 1)
    out += `${texts[index % texts.length]}\n\n`;
  while (Buffer.byteLength(out) > bytes)
    out = out.slice(0, out.length - Math.max(1, Buffer.byteLength(out) - bytes));
  return out;
}

const pct = (value: number) => value.toFixed(3);

async function main(): Promise<void> {
  const dev = [
    ...loadPii(),
    ...loadHardNegatives("pii").map((record) => ({ id: record.id, text: record.text, spans: [] })),
  ];
  const holdout = loadPii("holdout");
  const corpusTexts = dev.map((record) => record.text);
  const inputs: Array<[string, string[]]> = [
    ["corpus (per record)", corpusTexts],
    ["1 KB", [sized(corpusTexts, 1024)]],
    ["16 KB", [sized(corpusTexts, 16 * 1024)]],
    ["1 MiB", [sized(corpusTexts, 1 << 20)]],
  ];
  const quality: string[] = [];
  const overall: string[] = [];
  const speed: string[] = [];
  for (const contender of contenders()) {
    console.log(`scoring ${contender.name}`);
    const counts = await score(contender, dev);
    const held = await score(contender, holdout);
    const supported = [...contender.types];
    for (const type of OUR_TYPES) {
      const entry = counts.get(type) ?? ({ tp: 0, fp: 0, fn: 0 } satisfies Counts);
      const cells = contender.types.has(type)
        ? (({ precision, recall, f1 }) => `${pct(precision)} | ${pct(recall)} | ${pct(f1)}`)(
            scoreOf(entry),
          )
        : "— | — | —";
      quality.push(`| ${contender.name} | ${type} | ${cells} | ${entry.tp + entry.fn} |`);
    }
    const onSupported = microScore(counts, supported);
    const onAll = microScore(counts, OUR_TYPES);
    const heldAll = microScore(held, OUR_TYPES);
    overall.push(
      `| ${contender.name} | ${supported.length} | ${pct(onSupported.precision)} | ${pct(onSupported.recall)} | ${pct(onSupported.f1)} | ${pct(onAll.f1)} | ${pct(heldAll.f1)} |`,
    );
    const cells: string[] = [];
    for (const [label, texts] of inputs) {
      console.log(`  throughput ${label}`);
      const defaultRate = await throughput(contender.run, texts);
      const mappedRate =
        contender.run === contender.runMapped
          ? defaultRate
          : await throughput(contender.runMapped, texts);
      cells.push(
        defaultRate === mappedRate
          ? defaultRate.toFixed(2)
          : `${defaultRate.toFixed(2)} / ${mappedRate.toFixed(2)}`,
      );
    }
    speed.push(`| ${contender.name} | ${cells.join(" | ")} |`);
  }
  const cpu = cpus();
  const report = `# PII detectors compared

Generated by \`node bench/compare-detectors.ts\` on ${new Date().toISOString().slice(0, 10)}: ${cpu.length} cores (${cpu[0]?.model ?? "unknown CPU"}), Node ${process.version}.

Corpus: \`workers/policy/test/fixtures\`, ${dev.length} texts (PII records and PII hard negatives; ${dev.reduce((sum, record) => sum + record.spans.length, 0)} labelled spans), plus ${holdout.length} held-out texts written after our detectors were tuned. Scoring: a prediction matches a gold span of the same type when their overlap covers half of each (\`fixtures/scoring.ts\`).

How the others are run, in their favour: their type names are mapped to ours (predictions of types we do not label are ignored, not counted as false positives); redact-pii runs only the redactors that map to our types, and OpenRedaction only its mapped patterns (the others can only hide values from the mapped ones). redact-pii reports no positions, so the scored run wraps each match in markers instead of a label (see \`redactPiiSpans\`). The dev corpus is the one our detectors were tuned on, which favours us; the holdout column is the fair comparison.

## Quality overall

| detector | our types it covers | precision | recall | F1 (its types) | F1 (all 14 types) | F1 holdout (all types) |
| --- | --- | --- | --- | --- | --- | --- |
${overall.join("\n")}

## Throughput, MB/s of CPU time (UTF-8 bytes; "default / mapped types only" where they differ)

CPU time of this process, median of several rounds after a warm-up, so other work on the shared
machine does not count against a detector. Ours always runs all 14 types. Inputs are corpus
records (one call each) and corpus text cut to 1 KB, 16 KB and 1 MiB (one call each); that text is
dense with PII, which costs every detector more than ordinary prose does.

| detector | corpus (per record) | 1 KB | 16 KB | 1 MiB |
| --- | --- | --- | --- | --- |
${speed.join("\n")}

## Quality per type (dev corpus; "—": the detector has no such type)

| detector | type | precision | recall | F1 | gold spans |
| --- | --- | --- | --- | --- | --- |
${quality.join("\n")}
`;
  const target = new URL("DETECTORS.md", import.meta.url);
  const formatted = await format(report, { ...(await resolveConfig(target)), parser: "markdown" });
  writeFileSync(target, formatted);
  console.log(formatted);
}

await main();
