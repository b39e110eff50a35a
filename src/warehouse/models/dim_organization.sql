-- Organizations seen in any event. The surrogate key is a hash of the natural key: stable
-- across rebuilds and hours, so facts loaded at different times still join.
-- depends_on: vehicle, operating_period
-- test: unique(organization_key)
-- test: not_null(organization_key, organization_id)
CREATE OR REPLACE TABLE dim_organization AS
SELECT hash(organization_id) AS organization_key, organization_id
FROM (SELECT organization_id FROM vehicle UNION SELECT organization_id FROM operating_period);
