import { describe, expect, it } from "vitest";
import { phiHoldback, piiHoldback, wordsHoldback } from "../detect/holdback.ts";

const held = (holdback: (text: string) => number, text: string) =>
  text.slice(text.length - holdback(text));

describe("piiHoldback and phiHoldback", () => {
  it("hold the word being written and nothing of finished prose", () => {
    expect(held(piiHoldback, "The quick brown fox")).toBe("fox");
    expect(held(piiHoldback, "The quick brown fox ")).toBe("");
  });

  it("hold what may still grow into a value, with the word being written", () => {
    expect(held(piiHoldback, "born on 2 Se")).toBe("2 Se");
    expect(held(piiHoldback, "born on the 15th ")).toBe("15th ");
    expect(held(piiHoldback, "ship to 9050 NE ")).toBe("9050 NE ");
    expect(held(piiHoldback, "mail to P.O. Box")).toBe("P.O. Box");
    expect(held(piiHoldback, "call +1 415 555")).toBe("+1 415 555");
    expect(held(phiHoldback, "a 101 year ")).toBe("101 year ");
    expect(held(phiHoldback, "lives with Doris Jenkins ")).toBe("Doris Jenkins ");
  });

  it("do not hold labels: the window keeps sent text as context", () => {
    expect(held(piiHoldback, "Date of birth: ")).toBe("");
    expect(held(phiHoldback, "Medicare beneficiary number\n")).toBe("");
  });

  it("hold a long word whole, up to 4096 characters, and an open private key", () => {
    const token = "x".repeat(3000);
    expect(held(piiHoldback, `see ${token}`)).toBe(token);
    // Longer: released 2048 characters at a time, the last 4096 always held.
    expect(piiHoldback("y".repeat(5000))).toBe(5000);
    expect(piiHoldback("y".repeat(6144))).toBe(4096);
    expect(piiHoldback("y".repeat(6200))).toBe(4152);
    const key = "-----BEGIN PRIVATE KEY-----\nMIIE AAAA ";
    expect(held(piiHoldback, `key: ${key}`)).toBe(key);
  });
});

describe("wordsHoldback", () => {
  it("equals the tail regex it replaces, on random texts", () => {
    const pattern = /(?:\S{1,40}\s{1,3}){0,9}\S{0,40}$/;
    const pieces = ["a", "bc", " ", "  ", "\n", "\u00a0", "x".repeat(15), "\t", "y".repeat(45)];
    let seed = 11;
    const next = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % limit;
    };
    for (let round = 0; round < 5000; round += 1) {
      let text = "";
      for (let count = next(40); count > 0; count -= 1) text += pieces[next(pieces.length)];
      expect(wordsHoldback(text, 10, 40), JSON.stringify(text)).toBe(
        pattern.exec(text)?.[0].length ?? 0,
      );
    }
  });
});
