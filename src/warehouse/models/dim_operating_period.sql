-- One row per operating period of an organization, as its latest event (by event time) leaves
-- it: a period id reused by another organization is another period.
-- materialized: incremental
-- unique_key: period_key
-- test: unique(period_key)
-- test: unique(organization_id, period_id)
-- test: not_null(period_key, period_id, organization_id, organization_key, latest_event)
-- test: relationships(organization_key -> dim_organization.organization_key)
-- test: accepted_values(latest_event: 'create', 'delete')
{% call changed_keys() %}
SELECT DISTINCT {{ key('organization_id', 'period_id') }} AS period_key FROM {{ changes('operating_period') }}
{% endcall %}
SELECT
  {{ key('p.organization_id', 'p.period_id') }} AS period_key,
  p.period_id,
  p.organization_id,
  {{ key('p.organization_id') }} AS organization_key,
  p.start_at,
  p.finish_at,
  p.event AS latest_event,
  p.event_at AS latest_event_at
FROM (
  SELECT
    o.organization_id, o.period_id, o.start_at, o.finish_at, o.event, o.event_at,
    row_number() OVER (PARTITION BY o.organization_id, o.period_id ORDER BY o.event_at DESC, o.source_object DESC, o.source_line DESC) AS latest
  FROM {{ ref('operating_period') }} AS o
) AS p
WHERE p.latest = 1
{% if is_incremental() %}
  AND {{ key('p.organization_id', 'p.period_id') }} IN (SELECT period_key FROM {{ keys() }})
{% endif %}
