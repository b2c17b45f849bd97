-- Generated from migrations/template/0008_open311.sql by render.py; edit the template.
-- Open311 GeoReport v2 (issue 5): keys issued to partner systems (a city dashboard, a 12345 platform) that
-- file grid events. A key is kept only as its hash and is bound to a place: it files events there.
CREATE TABLE open311_keys (
    id            uuid PRIMARY KEY NOT NULL,
    name          TEXT NOT NULL,
    key_hash      TEXT NOT NULL,
    place_id      uuid NOT NULL REFERENCES places(id),
    place_path    TEXT COLLATE "C" NOT NULL,
    created_by    uuid,
    created_at    timestamptz NOT NULL,
    revoked_at    timestamptz
);
CREATE UNIQUE INDEX open311_keys_hash ON open311_keys(key_hash);
