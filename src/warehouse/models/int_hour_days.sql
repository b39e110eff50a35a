-- The calendar days (UTC) each lake hour's events and locations fall on: what dim_date reads.
-- materialized: incremental
-- unique_key: date, hour
-- test: unique(date, hour, date_key)
-- test: not_null(date, hour, date_key, day)
{% call changed_keys() %}
SELECT DISTINCT date, hour FROM {{ changes('vehicle') }}
{% endcall %}
SELECT DISTINCT v.date, v.hour, {{ date_key('v.event_at') }} AS date_key, CAST(v.event_at AS DATE) AS day
FROM {{ ref('vehicle') }} AS v
{% if is_incremental() %}
JOIN {{ keys() }} AS k ON k.date = v.date AND k.hour = v.hour
{% endif %}
UNION
SELECT DISTINCT v.date, v.hour, {{ date_key('v.location_at') }} AS date_key, CAST(v.location_at AS DATE) AS day
FROM {{ ref('vehicle') }} AS v
{% if is_incremental() %}
JOIN {{ keys() }} AS k ON k.date = v.date AND k.hour = v.hour
{% endif %}
WHERE v.location_at IS NOT NULL
