import { invalid, type BadCase, type BadRow } from "./bad-input-table.ts";

const conflict = (label: string, path: string, code: string, body?: unknown): BadCase => ({
  label,
  path,
  body,
  status: 409,
  code,
});

/** Bad requests for the escalation routes (issue 7). */
export const ESCALATION_BAD_ROWS: BadRow[] = [
  {
    route: "POST /v1/escalations/{id}/claim",
    params: (w) => ({ id: w.escalations.teamX }),
    body: () => ({ ttl_seconds: 600 }),
    cases: (w) => {
      const path = `/v1/escalations/${w.escalations.teamX}/claim`;
      return [
        invalid("claim shorter than a minute", path, { ttl_seconds: 30 }, "ttl_seconds"),
        invalid("claim longer than a day", path, { ttl_seconds: 86_401 }, "ttl_seconds"),
        invalid("fractional seconds", path, { ttl_seconds: 90.5 }, "ttl_seconds"),
        conflict(
          "claim a resolved escalation",
          `/v1/escalations/${w.escalations.resolved}/claim`,
          "escalation_resolved",
          {},
        ),
      ];
    },
  },
  {
    route: "POST /v1/escalations/{id}/release",
    params: (w) => ({ id: w.escalations.teamX }),
    cases: (w) => [
      conflict(
        "release what nobody claimed",
        `/v1/escalations/${w.escalations.teamX}/release`,
        "escalation_not_claimed",
      ),
      conflict(
        "release a resolved escalation",
        `/v1/escalations/${w.escalations.resolved}/release`,
        "escalation_resolved",
      ),
    ],
  },
  {
    route: "POST /v1/escalations/{id}/resolve",
    params: (w) => ({ id: w.escalations.teamX }),
    body: () => ({ outcome: "allow", note: "fine" }),
    cases: (w) => {
      const path = `/v1/escalations/${w.escalations.teamX}/resolve`;
      return [
        invalid("blank note", path, { outcome: "allow", note: "   " }, "note"),
        invalid("note too long", path, { outcome: "allow", note: "n".repeat(4001) }, "note"),
        invalid("unknown outcome", path, { outcome: "maybe", note: "hmm" }, "outcome"),
        conflict(
          "resolve twice",
          `/v1/escalations/${w.escalations.resolved}/resolve`,
          "escalation_resolved",
          { outcome: "block", note: "second thoughts" },
        ),
      ];
    },
  },
];
