-- One row per vehicle of an organization: a vehicle id reused by another organization is
-- another vehicle.
-- materialized: incremental
-- unique_key: vehicle_key
-- test: unique(vehicle_key)
-- test: unique(organization_id, vehicle_id)
-- test: not_null(vehicle_key, vehicle_id, organization_id, organization_key)
-- test: relationships(organization_key -> dim_organization.organization_key)
{% call changed_keys() %}
SELECT DISTINCT {{ key('organization_id', 'vehicle_id') }} AS vehicle_key FROM {{ changes('int_vehicle_hour') }}
{% endcall %}
SELECT
  {{ key('h.organization_id', 'h.vehicle_id') }} AS vehicle_key,
  h.vehicle_id,
  h.organization_id,
  {{ key('h.organization_id') }} AS organization_key,
  min(h.first_event_at) AS first_event_at,
  max(h.last_event_at) AS last_event_at
FROM {{ ref('int_vehicle_hour') }} AS h
{% if is_incremental() %}
WHERE {{ key('h.organization_id', 'h.vehicle_id') }} IN (SELECT vehicle_key FROM {{ keys() }})
{% endif %}
GROUP BY h.organization_id, h.vehicle_id
