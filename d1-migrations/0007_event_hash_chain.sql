ALTER TABLE `decision_events` ADD `chain_id` text;--> statement-breakpoint
ALTER TABLE `decision_events` ADD `sequence` integer;--> statement-breakpoint
ALTER TABLE `decision_events` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `decision_events` ADD `hash` text;--> statement-breakpoint
CREATE UNIQUE INDEX `decision_events_chain` ON `decision_events` (`chain_id`,`sequence`);