-- A saved configuration version is evidence of what ran: never changed, never removed.
CREATE TRIGGER configuration_versions_no_update BEFORE UPDATE ON configuration_versions
BEGIN
  SELECT RAISE(ABORT, 'configuration versions are immutable');
END;
--> statement-breakpoint
CREATE TRIGGER configuration_versions_no_delete BEFORE DELETE ON configuration_versions
BEGIN
  SELECT RAISE(ABORT, 'configuration versions are immutable');
END;
