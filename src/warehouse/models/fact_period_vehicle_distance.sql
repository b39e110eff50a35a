-- Distance each vehicle travelled inside each operating period of its own organization:
-- haversine (R = 6371.0088 km) between its consecutive distinct points whose location time lies
-- in [start, finish]. Recomputed for the periods that changed or touch an hour that changed.
-- least(1, …): rounding can push the haversine term just past 1 for near-antipodal steps (asin: NaN);
-- DuckDB's least() skips NULLs, so a vehicle's first point (no previous one) is left out by CASE.
-- materialized: incremental
-- unique_key: period_key
-- test: unique(period_key, vehicle_key)
-- test: not_null(period_key, vehicle_key, km)
-- test: relationships(period_key -> dim_operating_period.period_key)
-- test: relationships(vehicle_key -> dim_vehicle.vehicle_key)
{% call changed_keys() %}
SELECT period_key FROM {{ changes('dim_operating_period') }}
UNION
SELECT p.period_key
FROM {{ ref('dim_operating_period') }} AS p
JOIN (SELECT DISTINCT location_hour FROM {{ changes('int_location_hour') }}) AS h
  ON h.location_hour <= p.finish_at AND h.location_hour + INTERVAL '1 hour' > p.start_at
{% endcall %}
WITH periods AS (
  SELECT p.period_key, p.organization_key, p.start_at, p.finish_at
  FROM {{ ref('dim_operating_period') }} AS p
{% if is_incremental() %}
  WHERE p.period_key IN (SELECT period_key FROM {{ keys() }})
{% endif %}
),
period_hours AS (
  SELECT p.period_key, p.organization_key, p.start_at, p.finish_at, h.location_hour
  FROM periods AS p
  JOIN {{ ref('int_location_hour') }} AS h ON h.location_hour <= p.finish_at AND h.location_hour + INTERVAL '1 hour' > p.start_at
),
inside AS (
  SELECT ph.period_key, f.vehicle_key, f.location_at, f.lat, f.lng
  FROM period_hours AS ph
  JOIN {{ ref('fact_vehicle_location') }} AS f
    ON f.location_hour = ph.location_hour
   AND f.organization_key = ph.organization_key
   AND f.location_at BETWEEN ph.start_at AND ph.finish_at
),
steps AS (
  SELECT
    period_key, vehicle_key, lat, lng,
    lag(lat) OVER (PARTITION BY period_key, vehicle_key ORDER BY location_at, lat, lng) AS previous_lat,
    lag(lng) OVER (PARTITION BY period_key, vehicle_key ORDER BY location_at, lat, lng) AS previous_lng
  FROM inside
)
SELECT
  period_key,
  vehicle_key,
  count(*) AS points,
  coalesce(sum(
    CASE WHEN previous_lat IS NOT NULL THEN 2 * 6371.0088 * asin(least(1, sqrt(
      pow(sin(radians(lat - previous_lat) / 2), 2)
      + cos(radians(previous_lat)) * cos(radians(lat)) * pow(sin(radians(lng - previous_lng) / 2), 2)
    ))) END
  ), 0) AS km
FROM steps
GROUP BY period_key, vehicle_key
