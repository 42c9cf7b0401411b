-- probe_results becomes a table partitioned by UTC day on `at` (issue 14): retention drops whole
-- partitions instead of deleting rows, so the table never bloats. Partitions are named
-- probe_results_pYYYYMMDD; probe_results_default takes rows of days without one (a clock far off, old
-- imported evidence) and gives them up when their day's partition is made. The key becomes (id, at),
-- as PostgreSQL requires of a partitioned table; ids still come from the one sequence. Existing rows
-- are kept.

-- Makes the partition of UTC day `d` (idempotent, safe from several processes at once), moving that
-- day's rows out of the default partition first.
CREATE OR REPLACE FUNCTION probe_results_ensure_day(d date) RETURNS void AS $$
DECLARE
  part text := 'probe_results_p' || to_char(d, 'YYYYMMDD');
  lo timestamptz := d::timestamp AT TIME ZONE 'UTC';
  hi timestamptz := (d + 1)::timestamp AT TIME ZONE 'UTC';
BEGIN
  IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
  PERFORM pg_advisory_xact_lock(hashtext('xuncha probe_results partitions'));
  IF to_regclass(part) IS NOT NULL THEN RETURN; END IF;
  EXECUTE format('CREATE TABLE %I (LIKE probe_results INCLUDING DEFAULTS)', part);
  EXECUTE format('ALTER TABLE %I ADD CONSTRAINT %I CHECK (at >= %L AND at < %L)', part, part || '_range', lo, hi);
  EXECUTE format('WITH moved AS (DELETE FROM probe_results_default WHERE at >= %L AND at < %L RETURNING *) INSERT INTO %I SELECT * FROM moved', lo, hi, part);
  EXECUTE format('ALTER TABLE probe_results ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)', part, lo, hi);
  EXECUTE format('ALTER TABLE %I DROP CONSTRAINT %I', part, part || '_range');
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Makes the partitions of the UTC days from `first` to `last`.
CREATE OR REPLACE FUNCTION probe_results_ensure_days(first date, last date) RETURNS void AS $$
BEGIN
  FOR i IN 0 .. (last - first) LOOP
    PERFORM probe_results_ensure_day(first + i);
  END LOOP;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
-- Retention: drops the day partitions that end at or before `cutoff` and returns how many rows they
-- held (from the statistics, never a count: dropping a day must not read it); the caller deletes what
-- is left before `cutoff` in the partition that straddles it and in the default one.
CREATE OR REPLACE FUNCTION probe_results_drop_before(cutoff timestamptz) RETURNS TABLE (partitions int, rows_estimate bigint) AS $$
DECLARE
  r record;
BEGIN
  partitions := 0;
  rows_estimate := 0;
  PERFORM pg_advisory_xact_lock(hashtext('xuncha probe_results partitions'));
  FOR r IN
    SELECT c.relname, greatest(c.reltuples, 0)::bigint AS tuples
    FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
    WHERE i.inhparent = 'probe_results'::regclass AND c.relname ~ '^probe_results_p[0-9]{8}$'
  LOOP
    IF (to_date(substr(r.relname, 16), 'YYYYMMDD') + 1)::timestamp AT TIME ZONE 'UTC' <= cutoff THEN
      EXECUTE format('DROP TABLE %I', r.relname);
      partitions := partitions + 1;
      rows_estimate := rows_estimate + r.tuples;
    END IF;
  END LOOP;
  RETURN NEXT;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
ALTER TABLE probe_results RENAME TO probe_results_unpartitioned;
--> statement-breakpoint
ALTER TABLE probe_results_unpartitioned RENAME CONSTRAINT probe_results_pkey TO probe_results_unpartitioned_pkey;
--> statement-breakpoint
ALTER INDEX probe_results_system_at_idx RENAME TO probe_results_unpartitioned_system_at_idx;
--> statement-breakpoint
ALTER INDEX probe_results_at_idx RENAME TO probe_results_unpartitioned_at_idx;
--> statement-breakpoint
ALTER SEQUENCE probe_results_id_seq OWNED BY NONE;
--> statement-breakpoint
CREATE TABLE probe_results (LIKE probe_results_unpartitioned INCLUDING DEFAULTS) PARTITION BY RANGE (at);
--> statement-breakpoint
ALTER SEQUENCE probe_results_id_seq OWNED BY probe_results.id;
--> statement-breakpoint
ALTER TABLE probe_results ADD CONSTRAINT probe_results_pkey PRIMARY KEY (id, at);
--> statement-breakpoint
ALTER TABLE probe_results ADD CONSTRAINT probe_results_sweep_id_sweeps_id_fk FOREIGN KEY (sweep_id) REFERENCES public.sweeps(id) ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE probe_results ADD CONSTRAINT probe_results_system_id_systems_id_fk FOREIGN KEY (system_id) REFERENCES public.systems(id) ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
ALTER TABLE probe_results ADD CONSTRAINT probe_results_endpoint_id_endpoints_id_fk FOREIGN KEY (endpoint_id) REFERENCES public.endpoints(id) ON DELETE set null ON UPDATE no action;
--> statement-breakpoint
CREATE INDEX probe_results_system_at_idx ON probe_results USING btree (system_id, at);
--> statement-breakpoint
CREATE INDEX probe_results_at_idx ON probe_results USING btree (at);
--> statement-breakpoint
CREATE TABLE probe_results_default PARTITION OF probe_results DEFAULT;
--> statement-breakpoint
SELECT probe_results_ensure_day(d)
FROM (
  SELECT DISTINCT (at AT TIME ZONE 'UTC')::date AS d FROM probe_results_unpartitioned
  UNION SELECT (now() AT TIME ZONE 'UTC')::date + k FROM generate_series(-1, 2) AS k
) days
ORDER BY d;
--> statement-breakpoint
INSERT INTO probe_results SELECT * FROM probe_results_unpartitioned;
--> statement-breakpoint
DROP TABLE probe_results_unpartitioned;
