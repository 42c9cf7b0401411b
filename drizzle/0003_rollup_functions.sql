-- Adds two {"key": count} objects key by key; used to merge outcome counts into probe_days.
CREATE OR REPLACE FUNCTION jsonb_add_counts(a jsonb, b jsonb) RETURNS jsonb
LANGUAGE sql IMMUTABLE AS $$
  SELECT coalesce(jsonb_object_agg(k, v), '{}'::jsonb)
  FROM (
    SELECT key AS k, sum(value::bigint) AS v
    FROM (
      SELECT * FROM jsonb_each_text(coalesce(a, '{}'::jsonb))
      UNION ALL
      SELECT * FROM jsonb_each_text(coalesce(b, '{}'::jsonb))
    ) pairs
    GROUP BY key
  ) sums
$$;
