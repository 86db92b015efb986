-- pgvector: the embedding column and its HNSW index. PostgreSQL needs the extension's files installed
-- (see README, "What PostgreSQL needs"); Azure Database for PostgreSQL must allow-list VECTOR.
CREATE EXTENSION IF NOT EXISTS vector;
--> statement-breakpoint
-- A grounded answer keeps the passages its [n] markers point to.
ALTER TABLE "messages" ADD COLUMN "citations" jsonb;
--> statement-breakpoint
CREATE TABLE "document_chunks" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "document_chunks_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"document_id" uuid NOT NULL,
	"ordinal" integer NOT NULL,
	"page" integer,
	"heading" text,
	"text" text NOT NULL,
	"embedding" vector(1536) NOT NULL,
	"language" "regconfig" DEFAULT 'english'::regconfig NOT NULL,
	"search" "tsvector" GENERATED ALWAYS AS (to_tsvector("language", "text")) STORED
);
--> statement-breakpoint
CREATE TABLE "document_jobs" (
	"document_id" uuid PRIMARY KEY NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"run_after" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"leased_until" timestamp (3) with time zone,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "documents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"owner_id" uuid NOT NULL,
	"scope" text NOT NULL,
	"chat_id" uuid,
	"group_id" text,
	"name" text NOT NULL,
	"media_type" text NOT NULL,
	"size_bytes" integer NOT NULL,
	"pages" integer,
	"status" text DEFAULT 'queued' NOT NULL,
	"error" text,
	"content" "bytea" NOT NULL,
	"created_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp (3) with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "documents_scope_target" CHECK (("documents"."scope" = 'chat') = ("documents"."chat_id" IS NOT NULL) AND ("documents"."scope" = 'group') = ("documents"."group_id" IS NOT NULL))
);
--> statement-breakpoint
ALTER TABLE "document_chunks" ADD CONSTRAINT "document_chunks_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "document_jobs" ADD CONSTRAINT "document_jobs_document_id_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."documents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_owner_id_users_id_fk" FOREIGN KEY ("owner_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "documents" ADD CONSTRAINT "documents_chat_id_chats_id_fk" FOREIGN KEY ("chat_id") REFERENCES "public"."chats"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "document_chunks_document_ordinal_unique" ON "document_chunks" USING btree ("document_id","ordinal");--> statement-breakpoint
CREATE INDEX "document_chunks_embedding_idx" ON "document_chunks" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "document_chunks_search_idx" ON "document_chunks" USING gin ("search");--> statement-breakpoint
CREATE INDEX "document_jobs_run_after_idx" ON "document_jobs" USING btree ("run_after");--> statement-breakpoint
CREATE INDEX "documents_owner_idx" ON "documents" USING btree ("owner_id","created_at");--> statement-breakpoint
CREATE INDEX "documents_group_idx" ON "documents" USING btree ("group_id") WHERE "documents"."scope" = 'group';--> statement-breakpoint
CREATE INDEX "documents_chat_idx" ON "documents" USING btree ("chat_id") WHERE "documents"."scope" = 'chat';--> statement-breakpoint
-- Wakes the ingestion workers of every replica at once when a job is queued (they poll as well).
CREATE FUNCTION document_jobs_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('document_jobs', NEW.document_id::text);
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER document_jobs_notify AFTER INSERT ON document_jobs FOR EACH ROW EXECUTE FUNCTION document_jobs_notify();
