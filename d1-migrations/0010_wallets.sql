CREATE TABLE `cost_tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`status` text NOT NULL,
	`scope` text NOT NULL,
	`wallet_id` text NOT NULL,
	`team_id` text,
	`user_id` text,
	`key_id` text,
	`model` text NOT NULL,
	`request_id` text NOT NULL,
	`amount` integer NOT NULL,
	`available` integer NOT NULL,
	`currency` text NOT NULL,
	`overdraft_limit` integer NOT NULL,
	`note` text,
	`decided_by` text,
	`decided_at` integer,
	`used_request_id` text,
	`used_at` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `cost_tickets_org_status` ON `cost_tickets` (`org_id`,`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `ledger_entries` (
	`org_id` text NOT NULL,
	`seq` integer NOT NULL,
	`wallet_id` text NOT NULL,
	`kind` text NOT NULL,
	`amount` integer NOT NULL,
	`delta` integer NOT NULL,
	`balance_after` integer NOT NULL,
	`idempotency_key` text NOT NULL,
	`hold_id` text,
	`request_id` text,
	`ticket_id` text,
	`actor` text,
	`detail` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`org_id`, `seq`)
);
--> statement-breakpoint
CREATE UNIQUE INDEX `ledger_entries_idempotency` ON `ledger_entries` (`org_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `ledger_entries_wallet` ON `ledger_entries` (`org_id`,`wallet_id`,`seq`);--> statement-breakpoint
CREATE TABLE `pricing` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`currency` text NOT NULL,
	`input_micros` integer NOT NULL,
	`output_micros` integer NOT NULL,
	`cached_input_micros` integer,
	`effective_from` integer NOT NULL,
	`created_by` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pricing_version` ON `pricing` (`org_id`,`provider`,`model`,`effective_from`);--> statement-breakpoint
CREATE INDEX `pricing_lookup` ON `pricing` (`provider`,`model`,`effective_from`);--> statement-breakpoint
CREATE TABLE `usage_records` (
	`request_id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`day` text NOT NULL,
	`team_id` text,
	`user_id` text,
	`key_id` text,
	`provider` text NOT NULL,
	`model` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`cached_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`cost` integer,
	`charged` integer NOT NULL,
	`uncollected` integer NOT NULL,
	`currency` text NOT NULL,
	`estimated` integer NOT NULL,
	`wallet_id` text,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `usage_records_org_day` ON `usage_records` (`org_id`,`day`);--> statement-breakpoint
CREATE INDEX `usage_records_org_team` ON `usage_records` (`org_id`,`team_id`,`day`);--> statement-breakpoint
CREATE INDEX `usage_records_org_user` ON `usage_records` (`org_id`,`user_id`,`day`);--> statement-breakpoint
CREATE TABLE `wallet_alerts` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`wallet_id` text NOT NULL,
	`threshold` integer NOT NULL,
	`balance` integer NOT NULL,
	`currency` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `wallet_alerts_org` ON `wallet_alerts` (`org_id`,`created_at`);--> statement-breakpoint
CREATE TABLE `wallets` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`scope` text NOT NULL,
	`owner_id` text NOT NULL,
	`currency` text NOT NULL,
	`balance` integer NOT NULL,
	`held` integer NOT NULL,
	`alert_thresholds` text NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`version` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `wallets_org` ON `wallets` (`org_id`,`scope`);