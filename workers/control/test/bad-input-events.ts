import { invalid, type BadRow } from "./bad-input-table.ts";
import { sampleEvent } from "./event-fixtures.ts";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Bad requests for event ingestion and exports (issue 5). */
export const EVENT_BAD_ROWS: BadRow[] = [
  {
    route: "POST /v1/events/batch",
    body: (w) => ({ gateway_id: w.gateway.id, events: [sampleEvent({ orgId: w.orgId })] }),
    cases: (w) => [
      invalid("no events", "/v1/events/batch", { gateway_id: w.gateway.id, events: [] }, "events"),
      invalid(
        "more than 100 events",
        "/v1/events/batch",
        {
          gateway_id: w.gateway.id,
          events: Array.from({ length: 101 }, () => sampleEvent({ orgId: w.orgId })),
        },
        "events",
      ),
      invalid(
        "an event with an unknown verdict",
        "/v1/events/batch",
        {
          gateway_id: w.gateway.id,
          events: [{ ...sampleEvent({ orgId: w.orgId }), verdict: "maybe" }],
        },
        "events.0.verdict",
      ),
      invalid(
        "an event from the future",
        "/v1/events/batch",
        {
          gateway_id: w.gateway.id,
          events: [sampleEvent({ orgId: w.orgId, createdAt: Date.now() + DAY })],
        },
        "events.0.created_at",
      ),
      {
        label: "no gateway named by a key that is not a gateway's",
        path: "/v1/events/batch",
        body: { events: [sampleEvent({ orgId: w.orgId })] },
        status: 400,
        code: "gateway_required",
      },
      {
        label: "unknown gateway",
        path: "/v1/events/batch",
        body: { gateway_id: "gw_nope", events: [sampleEvent({ orgId: w.orgId })] },
        status: 404,
        code: "not_found",
      },
    ],
  },
  {
    route: "POST /v1/exports",
    body: () => ({ from: Date.now() - HOUR, to: Date.now(), format: "csv" }),
    cases: () => {
      const now = Date.now();
      return [
        {
          label: "from after to",
          path: "/v1/exports",
          body: { from: now, to: now - HOUR },
          status: 400,
          code: "invalid_range",
        },
        {
          label: "an empty window",
          path: "/v1/exports",
          body: { from: now, to: now },
          status: 400,
          code: "invalid_range",
        },
        {
          label: "a window of 50 years",
          path: "/v1/exports",
          body: { from: "1990-01-01", to: "2040-01-01" },
          status: 400,
          code: "window_too_large",
        },
        {
          label: "a window ending next month",
          path: "/v1/exports",
          body: { from: now, to: now + 30 * DAY },
          status: 400,
          code: "window_too_large",
        },
        invalid("a date that is not one", "/v1/exports", { from: "yesterday", to: now }, "from"),
        invalid(
          "an unknown format",
          "/v1/exports",
          { from: now - HOUR, to: now, format: "xml" },
          "format",
        ),
        invalid(
          "an unknown filter",
          "/v1/exports",
          { from: now - HOUR, to: now, filters: { colour: "red" } },
          "filters",
        ),
        invalid(
          "an unknown verdict filter",
          "/v1/exports",
          { from: now - HOUR, to: now, filters: { verdict: "maybe" } },
          "filters.verdict",
        ),
      ];
    },
  },
];
