ALTER TABLE "messages" ADD COLUMN "heartbeat_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "stop_requested_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "messages_streaming_idx" ON "messages" USING btree ("heartbeat_at") WHERE "messages"."status" = 'streaming';--> statement-breakpoint
-- Existing answers take the new statuses: `partial` used to mean four things, told apart by its reason.
UPDATE "messages" SET
  "status" = CASE
    WHEN "error" IS NULL OR "error" LIKE '%server restart%' THEN 'interrupted'
    WHEN "error" LIKE 'Stopped%' THEN 'stopped'
    ELSE 'truncated'
  END,
  "error" = coalesce("error", 'The answer was interrupted before it was complete.')
WHERE "status" = 'partial';
