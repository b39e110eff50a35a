-- Minutes of the day (UTC), 00:00 to 23:59.
-- test: unique(time_key)
-- test: not_null(time_key, label)
SELECT
  h.hour * 60 + m.minute AS time_key,
  h.hour,
  m.minute,
  lpad(CAST(h.hour AS VARCHAR), 2, '0') || ':' || lpad(CAST(m.minute AS VARCHAR), 2, '0') AS label
FROM (VALUES {% for n in range(24) %}({{ n }}){{ ', ' if not loop.last }}{% endfor %}) AS h(hour)
CROSS JOIN (VALUES {% for n in range(60) %}({{ n }}){{ ', ' if not loop.last }}{% endfor %}) AS m(minute)
