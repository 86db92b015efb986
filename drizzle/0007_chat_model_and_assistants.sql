CREATE TABLE "assistant_versions" (
	"assistant_id" uuid NOT NULL,
	"version" integer NOT NULL,
	"system_prompt" text NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "assistant_versions_assistant_id_version_pk" PRIMARY KEY("assistant_id","version")
);
--> statement-breakpoint
CREATE TABLE "assistants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"icon" text DEFAULT 'i-lucide-bot' NOT NULL,
	"starter_prompts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"default_model" text,
	"version" integer DEFAULT 1 NOT NULL,
	"published_at" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN "assistant_id" uuid;--> statement-breakpoint
ALTER TABLE "chats" ADD COLUMN "assistant_version" integer;--> statement-breakpoint
ALTER TABLE "usage_records" ADD COLUMN "model" text;--> statement-breakpoint
ALTER TABLE "assistant_versions" ADD CONSTRAINT "assistant_versions_assistant_id_assistants_id_fk" FOREIGN KEY ("assistant_id") REFERENCES "public"."assistants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "assistants" ADD CONSTRAINT "assistants_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assistants_owner_idx" ON "assistants" USING btree ("owner_id");--> statement-breakpoint
ALTER TABLE "chats" ADD CONSTRAINT "chats_assistant_id_assistants_id_fk" FOREIGN KEY ("assistant_id") REFERENCES "public"."assistants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
-- Usage by model: the trigger of 0006 copies the answering deployment's id too.
CREATE OR REPLACE FUNCTION "record_message_usage"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "usage_records" ("message_id", "user_id", "chat_id", "role", "status", "error", "input_tokens", "output_tokens", "model", "created_at")
  SELECT NEW."id", "chats"."user_id", NEW."chat_id", NEW."role", NEW."status", NEW."error", NEW."input_tokens", NEW."output_tokens", NEW."model", NEW."created_at"
  FROM "chats" WHERE "chats"."id" = NEW."chat_id"
  ON CONFLICT ("message_id") DO UPDATE SET
    "status" = EXCLUDED."status",
    "error" = EXCLUDED."error",
    "input_tokens" = EXCLUDED."input_tokens",
    "output_tokens" = EXCLUDED."output_tokens",
    "model" = EXCLUDED."model",
    "created_at" = EXCLUDED."created_at";
  RETURN NULL;
END
$$;
--> statement-breakpoint
UPDATE "usage_records" SET "model" = "messages"."model" FROM "messages" WHERE "messages"."id" = "usage_records"."message_id";
