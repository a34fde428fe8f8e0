CREATE TABLE `event_exports` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`created_by` text NOT NULL,
	`format` text NOT NULL,
	`evidence` integer NOT NULL,
	`from_ms` integer NOT NULL,
	`to_ms` integer NOT NULL,
	`filters` text NOT NULL,
	`heads` text NOT NULL,
	`scope` text,
	`row_count` integer NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `event_exports_org_created` ON `event_exports` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `org_signing_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`algorithm` text NOT NULL,
	`public_jwk` text NOT NULL,
	`sealed_private_key` text NOT NULL,
	`created_at` integer NOT NULL,
	`retired_at` integer
);
--> statement-breakpoint
CREATE INDEX `org_signing_keys_org` ON `org_signing_keys` (`org_id`,`created_at`);