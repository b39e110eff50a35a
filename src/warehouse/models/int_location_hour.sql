-- The hours (of location time) that hold locations, with how many: the distance fact finds a
-- period's locations through them, by equality.
-- materialized: incremental
-- unique_key: location_hour
-- test: unique(location_hour)
{% call changed_keys() %}
SELECT DISTINCT location_hour FROM {{ changes('fact_vehicle_location') }}
{% endcall %}
SELECT f.location_hour, count(*) AS locations
FROM {{ ref('fact_vehicle_location') }} AS f
{% if is_incremental() %}
JOIN {{ keys() }} AS k ON k.location_hour = f.location_hour
{% endif %}
GROUP BY f.location_hour
