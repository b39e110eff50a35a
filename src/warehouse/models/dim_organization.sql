-- Organizations seen in any event. The surrogate key is a hash of the natural key: stable
-- across rebuilds and hours, so facts loaded at different times still join.
-- materialized: incremental
-- unique_key: organization_key
-- test: unique(organization_key)
-- test: not_null(organization_key, organization_id)
{% call changed_keys() %}
SELECT DISTINCT {{ key('organization_id') }} AS organization_key FROM {{ changes('int_vehicle_hour') }}
UNION
SELECT DISTINCT {{ key('organization_id') }} AS organization_key FROM {{ changes('operating_period') }}
{% endcall %}
SELECT {{ key('o.organization_id') }} AS organization_key, o.organization_id
FROM (
  SELECT organization_id FROM {{ ref('int_vehicle_hour') }}
  UNION
  SELECT organization_id FROM {{ ref('operating_period') }}
) AS o
{% if is_incremental() %}
WHERE {{ key('o.organization_id') }} IN (SELECT organization_key FROM {{ keys() }})
{% endif %}
