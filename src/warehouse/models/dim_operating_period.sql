-- One row per operating period, as its latest event (by event time) leaves it.
-- depends_on: operating_period, dim_organization
-- test: unique(period_key)
-- test: not_null(period_key, period_id, organization_key, latest_event)
-- test: relationships(organization_key -> dim_organization.organization_key)
-- test: accepted_values(latest_event: 'create', 'delete')
CREATE OR REPLACE TABLE dim_operating_period AS
SELECT
  hash(period_id) AS period_key,
  period_id,
  hash(organization_id) AS organization_key,
  start_at,
  finish_at,
  event AS latest_event,
  event_at AS latest_event_at
FROM (
  SELECT *, row_number() OVER (PARTITION BY period_id ORDER BY event_at DESC, source_object DESC, source_line DESC) AS latest
  FROM operating_period
)
WHERE latest = 1;
