-- What software each server copse federates with runs, as its NodeInfo says: what shapes
-- of activity it understands and which it refuses depends on it.
CREATE TABLE peer_software (
    -- host[:port], as deliveries name servers.
    domain TEXT PRIMARY KEY,
    -- NodeInfo's software.name, lowercased; empty when the server offers no NodeInfo.
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    checked_at TIMESTAMP NOT NULL
);
