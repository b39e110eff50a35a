-- Each vehicle's events in one lake hour (date, hour of the partition): a small summary the
-- vehicle and organization dimensions read instead of every event.
-- materialized: incremental
-- unique_key: date, hour
-- test: unique(organization_id, vehicle_id, date, hour)
-- test: not_null(organization_id, vehicle_id, date, hour, events, first_event_at, last_event_at)
{% call changed_keys() %}
SELECT DISTINCT date, hour FROM {{ changes('vehicle') }}
{% endcall %}
SELECT
  v.organization_id,
  v.vehicle_id,
  v.date,
  v.hour,
  count(*) AS events,
  min(v.event_at) AS first_event_at,
  max(v.event_at) AS last_event_at
FROM {{ ref('vehicle') }} AS v
{% if is_incremental() %}
JOIN {{ keys() }} AS k ON k.date = v.date AND k.hour = v.hour
{% endif %}
GROUP BY v.organization_id, v.vehicle_id, v.date, v.hour
