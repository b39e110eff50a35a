-- Where each vehicle was, once per distinct (organization, vehicle, location time, lat, lng): an
-- event read twice, or sent twice, is one location. Replaced per hour of the location time
-- (location_hour), so a location's unit follows from the row itself.
-- materialized: incremental
-- unique_key: location_hour
-- test: unique(location_key)
-- test: not_null(location_key, vehicle_key, organization_key, date_key, time_key, location_hour, location_at, lat, lng)
-- test: relationships(vehicle_key -> dim_vehicle.vehicle_key)
-- test: relationships(date_key -> dim_date.date_key)
-- test: relationships(time_key -> dim_time.time_key)
{% call changed_keys() %}
SELECT DISTINCT date_trunc('hour', location_at) AS location_hour FROM {{ changes('vehicle') }} WHERE location_at IS NOT NULL
{% endcall %}
SELECT
  {{ key('l.organization_id', 'l.vehicle_id', 'l.location_at', 'l.lat', 'l.lng') }} AS location_key,
  {{ key('l.organization_id', 'l.vehicle_id') }} AS vehicle_key,
  {{ key('l.organization_id') }} AS organization_key,
  {{ date_key('l.location_at') }} AS date_key,
  {{ minute_of_day('l.location_at') }} AS time_key,
  date_trunc('hour', l.location_at) AS location_hour,
  l.location_at,
  l.lat,
  l.lng
FROM (
  SELECT DISTINCT v.organization_id, v.vehicle_id, v.location_at, v.lat, v.lng
  FROM {{ ref('vehicle') }} AS v
{% if is_incremental() %}
  -- A range on the stored timestamp: the warehouse skips the blocks of other hours.
  JOIN {{ keys() }} AS k ON v.location_at >= k.location_hour AND v.location_at < k.location_hour + INTERVAL '1 hour'
{% endif %}
  WHERE v.lat IS NOT NULL AND v.lng IS NOT NULL AND v.location_at IS NOT NULL
) AS l
-- Stored in time order: a period's or an hour's locations are then a few blocks.
ORDER BY l.location_at
