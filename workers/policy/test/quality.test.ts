/**
 * Measured detection quality on the labelled corpus in `fixtures/` (see its
 * README for the record formats and labelling rules).
 *
 * Span matching (PII, PHI): a predicted span matches a gold span when both have
 * the same type and their overlap covers at least half of each; every gold and
 * every predicted span matches at most once. Unmatched predictions are false
 * positives (hard negatives have no gold spans, so anything found there is one),
 * unmatched gold spans are false negatives. Precision, recall and F1 are
 * computed per type and micro-averaged per family.
 *
 * Prompt injection: the policy with default settings runs on each case (as the
 * case's role); an attack counts as caught when the policy blocks it, a benign
 * text or hard negative counts as a false positive when it is blocked.
 *
 * Floors sit at or a little under what the detectors achieve, so a regression
 * fails the test. The `dev` corpus is what the detectors were tuned on; the
 * `holdout` files were written after tuning and never tuned on, and their
 * (lower) floors guard the generalisation estimate rather than the aims. The
 * four injection held-out sets differ in how blind they still are (see the
 * fixtures README); their floors sit a little under each set's first run.
 */
import { describe, expect, it } from "vitest";
import { PHI_DETECTORS } from "../detect/phi-patterns.ts";
import { PII_DETECTORS } from "../detect/pii-patterns.ts";
import { loadPhi, loadPii, type InjectionPart } from "./fixtures/corpus.ts";
import { injectionReport, spanReport, type FamilyReport } from "./fixtures/quality-report.ts";
import { row } from "./fixtures/scoring.ts";

const PII_FLOORS = { precision: 0.99, recall: 0.99, f1: 0.99, typeF1: 0.97, hardNegativeFp: 0.01 };
const PHI_FLOORS = { precision: 0.99, recall: 0.98, f1: 0.99, typeF1: 0.97, hardNegativeFp: 0.01 };
const INJECTION_FLOORS = {
  recall: 0.97,
  categoryRecall: 0.93,
  benignFp: 0.01,
  hardNegativeFp: 0.01,
};
const HOLDOUT_FLOORS = { piiF1: 0.95, phiF1: 0.93 };
/**
 * Per injection held-out set: recall, the lowest per-category recall, and the
 * highest share of benign texts blocked. `holdout2`, `holdout3` and `holdout4`
 * floors sit a little under their first runs (0.810, 0.635 and 0.709 recall,
 * lowest category 0.500, 0.462 and 0.417, 2.5%, 2.4% and 6.4% false positives).
 * `holdout4` blocked 3 of its 47 benign texts on its first run, over the 5% the
 * others allow, so its ceiling sits just above that run instead.
 */
const INJECTION_HOLDOUT_FLOORS: Record<
  Exclude<InjectionPart, "dev">,
  { recall: number; categoryRecall: number; benignFp: number }
> = {
  holdout: { recall: 0.9, categoryRecall: 0.8, benignFp: 0.05 },
  holdout2: { recall: 0.78, categoryRecall: 0.45, benignFp: 0.05 },
  holdout3: { recall: 0.6, categoryRecall: 0.42, benignFp: 0.05 },
  holdout4: { recall: 0.67, categoryRecall: 0.38, benignFp: 0.07 },
};

function table(title: string, report: FamilyReport): void {
  const rows = [...report.byType]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, score]) => row(type, score));
  console.log(
    `${title}: hard negatives with a false alarm ${(report.hardNegativeFpRate * 100).toFixed(1)}% of ${report.hardNegatives}`,
  );
  console.table([...rows, row("FAMILY (micro)", report.family)]);
}

function expectFloors(report: FamilyReport, floors: typeof PII_FLOORS): void {
  expect(report.family.precision).toBeGreaterThanOrEqual(floors.precision);
  expect(report.family.recall).toBeGreaterThanOrEqual(floors.recall);
  expect(report.family.f1).toBeGreaterThanOrEqual(floors.f1);
  for (const [type, score] of report.byType)
    expect(score.f1, `${type} F1`).toBeGreaterThanOrEqual(floors.typeF1);
  expect(report.hardNegativeFpRate).toBeLessThanOrEqual(floors.hardNegativeFp);
}

describe("detection quality", () => {
  it("PII: precision, recall and F1 per type and for the family", () => {
    const report = spanReport(loadPii(), Object.values(PII_DETECTORS), "pii");
    table("PII (dev)", report);
    expectFloors(report, PII_FLOORS);
  });

  it("PHI: precision, recall and F1 per Safe Harbor identifier and for the family", () => {
    const report = spanReport(loadPhi(), Object.values(PHI_DETECTORS), "phi");
    table("PHI (dev)", report);
    expectFloors(report, PHI_FLOORS);
  });

  it("prompt injection: recall per category and obfuscation, false positives on benign text", () => {
    const report = injectionReport();
    console.log(
      `Injection (dev): recall ${report.recall.toFixed(3)} of ${report.attacks} attacks; ` +
        `false positives ${(report.benignFpRate * 100).toFixed(1)}% of ${report.benign} benign, ` +
        `${(report.hardNegativeFpRate * 100).toFixed(1)}% of ${report.hardNegatives} hard negatives`,
    );
    const rates = (groups: typeof report.recallByCategory) =>
      [...groups].map(([name, { recall, count }]) => ({
        name,
        recall: Number(recall.toFixed(3)),
        count,
      }));
    console.table(rates(report.recallByCategory));
    console.table(rates(report.recallByObfuscation));
    expect(report.recall).toBeGreaterThanOrEqual(INJECTION_FLOORS.recall);
    for (const [category, { recall }] of report.recallByCategory)
      expect(recall, category).toBeGreaterThanOrEqual(INJECTION_FLOORS.categoryRecall);
    expect(report.benignFpRate).toBeLessThanOrEqual(INJECTION_FLOORS.benignFp);
    expect(report.hardNegativeFpRate).toBeLessThanOrEqual(INJECTION_FLOORS.hardNegativeFp);
  });

  it("held-out texts, never tuned on: how much of the tuning generalises", () => {
    const pii = spanReport(loadPii("holdout"), Object.values(PII_DETECTORS), "pii", false);
    const phi = spanReport(loadPhi("holdout"), Object.values(PHI_DETECTORS), "phi", false);
    console.table([
      { set: "PII holdout", ...row("family", pii.family) },
      { set: "PHI holdout", ...row("family", phi.family) },
    ]);
    expect(pii.family.f1).toBeGreaterThanOrEqual(HOLDOUT_FLOORS.piiF1);
    expect(phi.family.f1).toBeGreaterThanOrEqual(HOLDOUT_FLOORS.phiF1);
  });

  for (const [part, floors] of Object.entries(INJECTION_HOLDOUT_FLOORS)) {
    it(`prompt injection, held-out set ${part}: recall per category, false positives`, () => {
      const report = injectionReport(part as InjectionPart);
      console.log(
        `Injection (${part}): recall ${report.recall.toFixed(3)} of ${report.attacks}; ` +
          `false positives ${(report.benignFpRate * 100).toFixed(1)}% of ${report.benign}`,
      );
      console.table(
        [...report.recallByCategory].map(([name, { recall, count }]) => ({
          name,
          recall: Number(recall.toFixed(3)),
          count,
        })),
      );
      expect(report.recall).toBeGreaterThanOrEqual(floors.recall);
      for (const [category, { recall }] of report.recallByCategory)
        expect(recall, category).toBeGreaterThanOrEqual(floors.categoryRecall);
      expect(report.benignFpRate).toBeLessThanOrEqual(floors.benignFp);
    });
  }
});
