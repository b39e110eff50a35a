-- One row per vehicle, with the organization of its latest event.
-- depends_on: vehicle, dim_organization
-- test: unique(vehicle_key)
-- test: not_null(vehicle_key, vehicle_id, organization_key)
-- test: relationships(organization_key -> dim_organization.organization_key)
CREATE OR REPLACE TABLE dim_vehicle AS
SELECT
  hash(vehicle_id) AS vehicle_key,
  vehicle_id,
  hash(arg_max(organization_id, event_at)) AS organization_key,
  min(event_at) AS first_event_at,
  max(event_at) AS last_event_at
FROM vehicle
GROUP BY vehicle_id;
