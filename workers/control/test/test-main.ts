/**
 * The control worker as its tests run it. In production the ESCALATIONS binding
 * reaches the EscalationDO in the gateway worker (script_name); the test runner
 * has one worker, so the same class is exported beside the control worker here
 * and vitest.config.ts binds ESCALATIONS to it.
 */
export { default } from "../index.ts";
export { EscalationDO } from "../../../durable-objects/escalations/escalation-do.ts";
