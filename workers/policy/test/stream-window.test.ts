import { describe, expect, it } from "vitest";
import { compileChain, outputScanner, parseConfig, StreamWindow } from "../index.ts";

function scannerFor(settings: object) {
  const parsed = parseConfig(
    JSON.stringify({
      providers: { targets: [{ id: "m", provider: "mock", model: "m" }] },
      policies: { chain: ["pii-detector"] },
      policy: { "pii-detector": settings },
    }),
  );
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const output = outputScanner(compileChain(parsed.config), { identity: {}, model: "m" });
  if (!output) throw new Error("no output scanner");
  return output.scanner;
}

function stream(scanner: ReturnType<typeof scannerFor>, pieces: string[]) {
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
