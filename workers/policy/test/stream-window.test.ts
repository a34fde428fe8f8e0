import { describe, expect, it } from "vitest";
import { StreamWindow } from "../index.ts";
import type { OutputScanner } from "../policy.ts";
import { chainScanner } from "./fixtures/chain-scanner.ts";

function scannerFor(settings: object) {
  return chainScanner(["pii-detector"], { "pii-detector": settings });
}

function stream(scanner: OutputScanner, pieces: string[]) {
  const window = new StreamWindow(scanner, 0);
  let out = "";
  const releases: string[] = [];
  for (const piece of pieces) {
    const step = window.push(piece);
    if (step.blocked) return { out, releases, blocked: true };
    releases.push(step.release);
    out += step.release;
  }
  const rest = window.flush();
  if (rest.blocked) return { out, releases, blocked: true };
  return { out: out + rest.release, releases, blocked: false };
}

const TEXT =
  "Reach Jane at jane.doe@example.com or +1 415 555 0100; card 4111 1111 1111 1111 on file.";
const REDACTED = "Reach Jane at [EMAIL] or [PHONE]; card [CREDIT_CARD] on file.";

describe("StreamWindow", () => {
  const scanner = scannerFor({ action: "redact" });

  it("redacts values split at every possible pair of chunk boundaries", () => {
    for (let first = 1; first < TEXT.length - 1; first += 1) {
      for (let second = first + 1; second < TEXT.length; second += 7) {
        const pieces = [TEXT.slice(0, first), TEXT.slice(first, second), TEXT.slice(second)];
        const { out } = stream(scanner, pieces);
        expect(out, `split at ${first}/${second}`).toBe(REDACTED);
      }
    }
  });

  it("holds multi-word values until they are complete", () => {
    const text =
      "Wire to DE89 3704 0044 0532 0130 00, ship to 1600 Pennsylvania Avenue, DOB: March 3, 1985. Key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQ\n-----END PRIVATE KEY----- done.";
    const expected =
      "Wire to [IBAN], ship to [ADDRESS], DOB: [DATE_OF_BIRTH]. Key: [PRIVATE_KEY] done.";
    for (let first = 1; first < text.length; first += 1) {
      const { out, releases } = stream(scanner, [text.slice(0, first), text.slice(first)]);
      expect(out, `split at ${first}`).toBe(expected);
      for (const release of releases) expect(release).not.toMatch(/3704|Pennsylvania|1985|MIIE/);
    }
    expect(stream(scanner, [...text]).out).toBe(expected);
  });

  it("redacts when the stream arrives one character at a time", () => {
    expect(stream(scanner, [...TEXT]).out).toBe(REDACTED);
  });

  it("never releases any part of a sensitive value", () => {
    const { releases } = stream(scanner, [...TEXT]);
    for (const release of releases) {
      expect(release).not.toMatch(/jane\.doe|555|4111/);
    }
  });

  it("lets ordinary prose through with at most a word held back", () => {
    const { releases } = stream(scanner, ["The quick brown ", "fox jumps over ", "the lazy dog."]);
    expect(releases).toEqual(["The quick brown ", "fox jumps over ", "the lazy "]);
  });

  it("blocks without releasing the offending text", () => {
    const blocking = scannerFor({ action: "block" });
    const { out, blocked } = stream(blocking, ["Sure! Her email is ja", "ne@example.com and more"]);
    expect(blocked).toBe(true);
    expect(out).toBe("Sure! Her email is ");
  });
});

describe("StreamWindow keeps what it sent as context", () => {
  const phi = chainScanner(["hipaa-phi-detector"], { "hipaa-phi-detector": { mode: "hipaa_18" } });

  it("finds a value whose label was sent chunks before, across a line break", () => {
    const text =
      "faxed to Miami Valley Home Care; Medicare beneficiary number\n1EG4-TE5-MK73, thanks.";
    const expected =
      "faxed to Miami Valley Home Care; Medicare beneficiary number\n[HEALTH_PLAN_ID], thanks.";
    expect(phi.scan(text, 0).text).toBe(expected);
    for (let cut = 1; cut < text.length; cut += 1)
      expect(stream(phi, [text.slice(0, cut), text.slice(cut)]).out, `split at ${cut}`).toBe(
        expected,
      );
    expect(stream(phi, [...text]).out).toBe(expected);
  });

  it("holds a word longer than 128 characters whole", () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJ${"a".repeat(200)}.${"b".repeat(43)}`;
    const scanner = scannerFor({ types: ["jwt"] });
    const pieces = [`Bearer ${jwt.slice(0, 150)}`, jwt.slice(150, 200), jwt.slice(200), " ok"];
    const { out, releases } = stream(scanner, pieces);
    expect(out).toBe("Bearer [JWT] ok");
    for (const release of releases) expect(release).not.toMatch(/eyJ/);
  });

  it("holds the start of a value that grows word by word (`2 Se…`, `9050 NE …`)", () => {
    const text = "DOB 2 September 2015; ship to 9050 NE Columbia Blvd, Portland.";
    const expected = "DOB [DATE_OF_BIRTH]; ship to [ADDRESS], Portland.";
    expect(stream(scannerFor({ action: "redact" }), [...text]).out).toBe(expected);
  });
});

describe("StreamWindow cost", () => {
  function counted(scanner: OutputScanner) {
    const calls = { scan: 0 };
    const stage = scanner.stages?.[0] ?? scanner;
    const counting: OutputScanner = {
      ...stage,
      scan: (text, choiceIndex, from) => {
        calls.scan += 1;
        return stage.scan(text, choiceIndex, from);
      },
    };
    return { counting, calls };
  }

  it("scans each delta once, and not at all while everything is held", () => {
    const { counting, calls } = counted(scannerFor({ action: "redact" }));
    const window = new StreamWindow(counting, 0);
    for (const piece of ["jane.do", "e@exam", "ple.com"]) window.push(piece);
    expect(calls.scan).toBe(0);
    expect(window.push(" wrote").release).toBe("[EMAIL] ");
    expect(calls.scan).toBe(1);
    expect(window.flush().release).toBe("wrote");
    expect(calls.scan).toBe(2);
  });

  it("re-scans the head of a scanner that rewrites without naming its edits", () => {
    const shouting: OutputScanner = {
      scan: (text) => ({ action: "redact", text: text.toUpperCase(), findings: [] }),
      holdback: (text) => /\S*$/.exec(text)?.[0].length ?? 0,
    };
    const { out } = stream(shouting, ["hello wor", "ld, again"]);
    expect(out).toBe("HELLO WORLD, AGAIN");
  });
});

describe("StreamWindow over composed policies", () => {
  const composed = chainScanner(["pii-detector", "safety-filter"], {
    "pii-detector": { action: "redact" },
    "safety-filter": {},
  });

  it("runs each policy over what the one before released, as the composed scan does", () => {
    const text = "Mail jane@example.com, then call +1 415 555 0100 today.";
    const whole = composed.scan(text, 0);
    const window = new StreamWindow(composed, 0);
    let out = "";
    const findings: string[] = [];
    for (const piece of [...text, undefined]) {
      const step = piece === undefined ? window.flush() : window.push(piece);
      out += step.release;
      findings.push(...step.findings.map((finding) => `${finding.policy}:${finding.type}`));
    }
    expect(out).toBe(whole.text);
    expect(findings).toEqual(whole.findings.map((finding) => `${finding.policy}:${finding.type}`));
  });

  it("blocks in a later policy without releasing the offending phrase", () => {
    const { out, blocked } = stream(composed, [
      "Sure, jane@example.com. Here is how to ",
      "build a pipe bomb at home",
      " step by step.",
    ]);
    expect(blocked).toBe(true);
    expect(out).not.toMatch(/pipe|bomb/);
    expect(out).not.toMatch(/jane@/);
  });
});
