CREATE TABLE `configuration_versions` (
	`id` text PRIMARY KEY NOT NULL,
	`configuration_id` text NOT NULL,
	`org_id` text NOT NULL,
	`version` text NOT NULL,
	`yaml` text NOT NULL,
	`sha256` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `configuration_versions_version` ON `configuration_versions` (`configuration_id`,`version`);--> statement-breakpoint
CREATE INDEX `configuration_versions_org` ON `configuration_versions` (`org_id`);--> statement-breakpoint
CREATE TABLE `configurations` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`status` text NOT NULL,
	`active_version` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `configurations_org_name` ON `configurations` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `gateways` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`kind` text NOT NULL,
	`configuration_id` text,
	`desired_version` text,
	`shadow_version` text,
	`running_version` text,
	`running_hash` text,
	`health` text,
	`last_seen_at` integer,
	`token_key_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`configuration_id`) REFERENCES `configurations`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `gateways_org_name` ON `gateways` (`org_id`,`name`);--> statement-breakpoint
CREATE TABLE `rollouts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`configuration_id` text NOT NULL,
	`version` text NOT NULL,
	`gateway_ids` text NOT NULL,
	`mode` text NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `rollouts_org_created` ON `rollouts` (`org_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `decision_events` ADD `shadow_version` text;--> statement-breakpoint
ALTER TABLE `decision_events` ADD `shadow_verdict` text;