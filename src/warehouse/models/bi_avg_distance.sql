-- The question this data exists for: the average distance travelled by the vehicles of each
-- operating period whose latest event is `create`.
-- depends_on: fact_period_vehicle_distance, dim_operating_period
-- test: unique(period_id)
-- test: not_null(period_id, vehicles, avg_km, total_km)
CREATE OR REPLACE TABLE bi_avg_distance AS
SELECT p.period_id, count(*) AS vehicles, avg(d.km) AS avg_km, sum(d.km) AS total_km
FROM fact_period_vehicle_distance AS d
JOIN dim_operating_period AS p USING (period_key)
WHERE p.latest_event = 'create'
GROUP BY p.period_id;
