-- The question this data exists for: the average distance travelled by the vehicles of each
-- operating period whose latest event is `create` (vehicles of the period's own organization).
-- materialized: incremental
-- unique_key: period_key
-- test: unique(period_key)
-- test: unique(organization_id, period_id)
-- test: not_null(period_key, organization_id, period_id, vehicles, avg_km, total_km)
{% call changed_keys() %}
SELECT period_key FROM {{ changes('fact_period_vehicle_distance') }}
UNION
SELECT period_key FROM {{ changes('dim_operating_period') }}
{% endcall %}
SELECT p.period_key, p.organization_id, p.period_id, count(*) AS vehicles, avg(d.km) AS avg_km, sum(d.km) AS total_km
FROM {{ ref('fact_period_vehicle_distance') }} AS d
JOIN {{ ref('dim_operating_period') }} AS p ON p.period_key = d.period_key
WHERE p.latest_event = 'create'
{% if is_incremental() %}
  AND p.period_key IN (SELECT period_key FROM {{ keys() }})
{% endif %}
GROUP BY p.period_key, p.organization_id, p.period_id
