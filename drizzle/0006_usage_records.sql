CREATE TABLE "usage_records" (
	"message_id" uuid PRIMARY KEY NOT NULL,
	"user_id" uuid NOT NULL,
	"chat_id" uuid NOT NULL,
	"role" text NOT NULL,
	"status" text NOT NULL,
	"error" text,
	"input_tokens" integer,
	"output_tokens" integer,
	"created_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "usage_records" ADD CONSTRAINT "usage_records_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "usage_records_created_idx" ON "usage_records" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "usage_records_user_idx" ON "usage_records" USING btree ("user_id");--> statement-breakpoint
-- Every message stored, and every change to what it cost (an answer's status and tokens when it
-- ends, a backdated test row), is copied here. AFTER: a message that fails to store counts nothing.
CREATE FUNCTION "record_message_usage"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_records" ("message_id", "user_id", "chat_id", "role", "status", "error", "input_tokens", "output_tokens", "created_at")
  SELECT NEW."id", "chats"."user_id", NEW."chat_id", NEW."role", NEW."status", NEW."error", NEW."input_tokens", NEW."output_tokens", NEW."created_at"
  FROM "chats" WHERE "chats"."id" = NEW."chat_id"
  ON CONFLICT ("message_id") DO UPDATE SET
    "status" = EXCLUDED."status",
    "error" = EXCLUDED."error",
    "input_tokens" = EXCLUDED."input_tokens",
    "output_tokens" = EXCLUDED."output_tokens",
    "created_at" = EXCLUDED."created_at";
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Only the columns usage reads: the heartbeat of an answer being written fires nothing.
CREATE TRIGGER "messages_record_usage" AFTER INSERT OR UPDATE OF "status", "error", "input_tokens", "output_tokens", "created_at" ON "messages"
  FOR EACH ROW EXECUTE FUNCTION "record_message_usage"();
--> statement-breakpoint
-- What was used before this migration: every message still stored.
INSERT INTO "usage_records" ("message_id", "user_id", "chat_id", "role", "status", "error", "input_tokens", "output_tokens", "created_at")
SELECT "messages"."id", "chats"."user_id", "messages"."chat_id", "messages"."role", "messages"."status", "messages"."error", "messages"."input_tokens", "messages"."output_tokens", "messages"."created_at"
FROM "messages" JOIN "chats" ON "chats"."id" = "messages"."chat_id";
