-- Calendar days (UTC) on which vehicles reported a location or an event.
-- depends_on: vehicle
-- test: unique(date_key)
-- test: not_null(date_key, date)
CREATE OR REPLACE TABLE dim_date AS
SELECT
  CAST(strftime(day, '%Y%m%d') AS INTEGER) AS date_key,
  day AS date,
  year(day) AS year,
  month(day) AS month,
  day(day) AS day_of_month,
  isodow(day) AS iso_weekday
FROM (
  SELECT CAST(location_at AS DATE) AS day FROM vehicle WHERE location_at IS NOT NULL
  UNION
  SELECT CAST(event_at AS DATE) FROM vehicle
);
