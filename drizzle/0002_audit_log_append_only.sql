-- The audit trail is append-only: UPDATE and TRUNCATE are always refused, and DELETE only inside
-- a transaction that ran `SET LOCAL app.audit_retention = 'on'`, which only the retention job
-- does (server/utils/retention.ts). SET LOCAL ends with its transaction, so the permission
-- cannot leak to the next statement on a pooled connection.
CREATE FUNCTION "audit_log_append_only"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('app.audit_retention', true) = 'on' THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'audit_log is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'Entries are only removed by the retention job once older than AUDIT_RETENTION_DAYS.';
END
$$;
--> statement-breakpoint
CREATE TRIGGER "audit_log_append_only" BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION "audit_log_append_only"();
--> statement-breakpoint
-- TRUNCATE fires no row triggers, so it gets its own.
CREATE TRIGGER "audit_log_no_truncate" BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_log_append_only"();
