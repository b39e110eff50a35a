-- Calendar days (UTC) on which vehicles reported a location or an event.
-- materialized: incremental
-- unique_key: date_key
-- test: unique(date_key)
-- test: not_null(date_key, date)
{% call changed_keys() %}
SELECT DISTINCT date_key FROM {{ changes('int_hour_days') }}
{% endcall %}
SELECT d.date_key, d.day AS date, year(d.day) AS year, month(d.day) AS month, day(d.day) AS day_of_month, {{ iso_weekday('d.day') }} AS iso_weekday
FROM (
  SELECT DISTINCT h.date_key, h.day FROM {{ ref('int_hour_days') }} AS h
{% if is_incremental() %}
  JOIN {{ keys() }} AS k ON k.date_key = h.date_key
{% endif %}
) AS d
