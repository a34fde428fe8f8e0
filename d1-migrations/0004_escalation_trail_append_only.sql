-- An escalation's trail is evidence: transitions can be added, never changed or removed.
CREATE TRIGGER escalation_trail_no_update BEFORE UPDATE ON escalation_trail
BEGIN
  SELECT RAISE(ABORT, 'escalation_trail is append-only');
END;
--> statement-breakpoint
CREATE TRIGGER escalation_trail_no_delete BEFORE DELETE ON escalation_trail
BEGIN
  SELECT RAISE(ABORT, 'escalation_trail is append-only');
END;
