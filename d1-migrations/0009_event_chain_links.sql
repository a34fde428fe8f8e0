CREATE TABLE `event_chain_links` (
	`chain_id` text NOT NULL,
	`sequence` integer NOT NULL,
	`org_id` text,
	`prev_hash` text,
	`hash` text NOT NULL,
	`deleted_at` integer NOT NULL,
	PRIMARY KEY(`chain_id`, `sequence`)
);
