/**
 * The control worker as its tests run it. In production the ESCALATIONS and
 * LEDGER bindings reach the EscalationDO and LedgerDO in the gateway worker
 * (script_name); the test runner has one worker, so the same classes are
 * exported beside the control worker here and vitest.config.ts binds them.
 */
export { default } from "../index.ts";
export { EscalationDO } from "../../../durable-objects/escalations/escalation-do.ts";
export { LedgerDO } from "../../../durable-objects/ledger/ledger-do.ts";
