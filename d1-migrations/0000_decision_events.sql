CREATE TABLE `decision_events` (
	`request_id` text PRIMARY KEY NOT NULL,
	`created_at` integer NOT NULL,
	`org_id` text,
	`team_id` text,
	`user_id` text,
	`key_id` text,
	`gateway_id` text,
	`config_name` text NOT NULL,
	`config_version` text NOT NULL,
	`config_hash` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`target_id` text,
	`provider` text,
	`stream` integer NOT NULL,
	`verdict` text NOT NULL,
	`status` integer NOT NULL,
	`error_code` text,
	`blocked_by` text,
	`policies` text NOT NULL,
	`attempts` text,
	`policy_ms` real NOT NULL,
	`upstream_ms` real,
	`prompt_tokens` integer,
	`completion_tokens` integer,
	`total_tokens` integer,
	`content` text,
	`retention_days` integer
);
--> statement-breakpoint
CREATE INDEX `decision_events_created_at` ON `decision_events` (`created_at`);--> statement-breakpoint
CREATE INDEX `decision_events_verdict` ON `decision_events` (`verdict`,`created_at`);--> statement-breakpoint
CREATE INDEX `decision_events_org` ON `decision_events` (`org_id`,`created_at`);