CREATE TABLE `escalation_trail` (
	`escalation_id` text NOT NULL,
	`seq` integer NOT NULL,
	`org_id` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text NOT NULL,
	`action` text NOT NULL,
	`detail` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`escalation_id`, `seq`)
);
--> statement-breakpoint
CREATE INDEX `escalation_trail_org_created` ON `escalation_trail` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `escalations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`team_id` text,
	`user_id` text,
	`key_id` text,
	`request_id` text NOT NULL,
	`request_hash` text NOT NULL,
	`endpoint` text NOT NULL,
	`model` text NOT NULL,
	`policy` text NOT NULL,
	`reason_code` text NOT NULL,
	`reason` text NOT NULL,
	`config_name` text NOT NULL,
	`config_version` text NOT NULL,
	`config_hash` text NOT NULL,
	`status` text NOT NULL,
	`claimed_by` text,
	`claim_expires_at` integer,
	`outcome` text,
	`note` text,
	`resolved_by` text,
	`resolved_at` integer,
	`used_at` integer,
	`used_request_id` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `escalations_org_created` ON `escalations` (`org_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `escalations_org_status` ON `escalations` (`org_id`,`status`,`created_at`);--> statement-breakpoint
CREATE INDEX `escalations_org_team` ON `escalations` (`org_id`,`team_id`,`created_at`);