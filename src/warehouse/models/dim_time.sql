-- Minutes of the day (UTC), 00:00 to 23:59.
-- test: unique(time_key)
-- test: not_null(time_key, label)
CREATE OR REPLACE TABLE dim_time AS
SELECT m AS time_key, m // 60 AS hour, m % 60 AS minute, printf('%02d:%02d', m // 60, m % 60) AS label
FROM range(1440) AS minutes(m);
