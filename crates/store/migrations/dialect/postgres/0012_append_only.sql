-- Issue 12: every ledger and timeline is append-only in the database itself, like the audit log; a
-- correction is a reversing entry. Hand-written per dialect (triggers differ), not from the template.
CREATE FUNCTION append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
CREATE TRIGGER points_entries_no_change BEFORE UPDATE OR DELETE ON points_entries
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER points_entries_no_truncate BEFORE TRUNCATE ON points_entries
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER stock_entries_no_change BEFORE UPDATE OR DELETE ON stock_entries
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER stock_entries_no_truncate BEFORE TRUNCATE ON stock_entries
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER service_records_no_change BEFORE UPDATE OR DELETE ON service_records
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER service_records_no_truncate BEFORE TRUNCATE ON service_records
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER activity_timeline_no_change BEFORE UPDATE OR DELETE ON activity_timeline
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER activity_timeline_no_truncate BEFORE TRUNCATE ON activity_timeline
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER order_timeline_no_change BEFORE UPDATE OR DELETE ON order_timeline
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER order_timeline_no_truncate BEFORE TRUNCATE ON order_timeline
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER order_evaluations_no_change BEFORE UPDATE OR DELETE ON order_evaluations
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER order_evaluations_no_truncate BEFORE TRUNCATE ON order_evaluations
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER event_timeline_no_change BEFORE UPDATE OR DELETE ON event_timeline
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER event_timeline_no_truncate BEFORE TRUNCATE ON event_timeline
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER project_timeline_no_change BEFORE UPDATE OR DELETE ON project_timeline
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER project_timeline_no_truncate BEFORE TRUNCATE ON project_timeline
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER place_moves_no_change BEFORE UPDATE OR DELETE ON place_moves
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER place_moves_no_truncate BEFORE TRUNCATE ON place_moves
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER resident_moves_no_change BEFORE UPDATE OR DELETE ON resident_moves
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER resident_moves_no_truncate BEFORE TRUNCATE ON resident_moves
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
