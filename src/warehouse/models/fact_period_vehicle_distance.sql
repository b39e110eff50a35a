-- Distance each vehicle travelled inside each operating period: haversine (R = 6371.0088 km)
-- between its consecutive distinct points whose location time lies in [start, finish].
-- depends_on: fact_vehicle_location, dim_operating_period, dim_vehicle
-- test: unique(period_key, vehicle_key)
-- test: not_null(period_key, vehicle_key, km)
-- test: relationships(period_key -> dim_operating_period.period_key)
-- test: relationships(vehicle_key -> dim_vehicle.vehicle_key)
CREATE OR REPLACE TABLE fact_period_vehicle_distance AS
WITH inside AS (
  SELECT p.period_key, f.vehicle_key, f.location_at, f.lat, f.lng
  FROM dim_operating_period AS p
  JOIN fact_vehicle_location AS f ON f.location_at BETWEEN p.start_at AND p.finish_at
),
steps AS (
  SELECT period_key, vehicle_key, lat, lng, lag(lat) OVER w AS previous_lat, lag(lng) OVER w AS previous_lng
  FROM inside
  WINDOW w AS (PARTITION BY period_key, vehicle_key ORDER BY location_at, lat, lng)
)
SELECT
  period_key,
  vehicle_key,
  count(*) AS points,
  coalesce(sum(
    2 * 6371.0088 * asin(sqrt(
      pow(sin(radians(lat - previous_lat) / 2), 2)
      + cos(radians(previous_lat)) * cos(radians(lat)) * pow(sin(radians(lng - previous_lng) / 2), 2)
    ))
  ), 0) AS km
FROM steps
GROUP BY period_key, vehicle_key;
