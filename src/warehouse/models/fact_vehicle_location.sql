-- Where each vehicle was, once per distinct (vehicle, location time, lat, lng): an event read
-- twice, or sent twice, is one location.
-- depends_on: vehicle, dim_vehicle, dim_date, dim_time
-- test: unique(location_key)
-- test: not_null(location_key, vehicle_key, date_key, time_key, location_at, lat, lng)
-- test: relationships(vehicle_key -> dim_vehicle.vehicle_key)
-- test: relationships(date_key -> dim_date.date_key)
-- test: relationships(time_key -> dim_time.time_key)
CREATE OR REPLACE TABLE fact_vehicle_location AS
SELECT
  hash(vehicle_id, location_at, lat, lng) AS location_key,
  hash(vehicle_id) AS vehicle_key,
  CAST(strftime(location_at, '%Y%m%d') AS INTEGER) AS date_key,
  CAST(hour(location_at) * 60 + minute(location_at) AS BIGINT) AS time_key,
  location_at,
  lat,
  lng
FROM (
  SELECT DISTINCT vehicle_id, location_at, lat, lng
  FROM vehicle
  WHERE lat IS NOT NULL AND lng IS NOT NULL AND location_at IS NOT NULL
);
