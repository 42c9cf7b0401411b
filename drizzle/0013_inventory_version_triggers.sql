-- Every committed write to the inventory (systems, endpoints, departments) bumps inventory_version,
-- whichever process or session made it; cached list pages are keyed by it. The bump is a deferred
-- constraint trigger, so it runs at commit, once per transaction (a transaction-local flag skips the
-- rest): the counter row is locked last and only for the commit, so two writers cannot deadlock on it.
INSERT INTO inventory_version (id, version) VALUES (1, 1) ON CONFLICT (id) DO NOTHING;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION bump_inventory_version() RETURNS trigger AS $$
BEGIN
  IF TG_OP <> 'TRUNCATE' AND current_setting('xuncha.inventory_bumped', true) = 'on' THEN
    RETURN NULL;
  END IF;
  UPDATE inventory_version SET version = version + 1 WHERE id = 1;
  IF TG_OP <> 'TRUNCATE' THEN
    PERFORM set_config('xuncha.inventory_bumped', 'on', true);
  END IF;
  RETURN NULL;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER systems_bump_inventory_version AFTER INSERT OR UPDATE OR DELETE ON systems
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER endpoints_bump_inventory_version AFTER INSERT OR UPDATE OR DELETE ON endpoints
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER departments_bump_inventory_version AFTER INSERT OR UPDATE OR DELETE ON departments
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bump_inventory_version();
--> statement-breakpoint
CREATE TRIGGER systems_truncate_bumps_inventory_version AFTER TRUNCATE ON systems
  FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version();
--> statement-breakpoint
CREATE TRIGGER endpoints_truncate_bumps_inventory_version AFTER TRUNCATE ON endpoints
  FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version();
--> statement-breakpoint
CREATE TRIGGER departments_truncate_bumps_inventory_version AFTER TRUNCATE ON departments
  FOR EACH STATEMENT EXECUTE FUNCTION bump_inventory_version();
