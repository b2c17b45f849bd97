-- Open311 GeoReport v2 (issue 5): keys issued to partner systems (a city dashboard, a 12345 platform) that
-- file grid events. A key is kept only as its hash and is bound to a place: it files events there.
CREATE TABLE open311_keys (
    id            {UUID} PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    key_hash      TEXT NOT NULL,
    place_id      {UUID} NOT NULL REFERENCES places(id),
    place_path    TEXT{C} NOT NULL,
    created_by    {UUID},
    created_at    {TS} NOT NULL,
    revoked_at    {TS}
);
CREATE UNIQUE INDEX open311_keys_hash ON open311_keys(key_hash);
