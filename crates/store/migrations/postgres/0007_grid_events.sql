-- Generated from migrations/template/0007_grid_events.sql by render.py; edit the template.
-- Grid events (网格事件, issue 5): problems found on patrol, handled at the grid or escalated to the
-- community and the street; each keeps a timeline. `place_path` is where the event is now (it moves up on
-- escalation), `grid_path` where it was reported, so the grid's figures keep counting it.

CREATE TABLE grid_events (
    id               uuid PRIMARY KEY NOT NULL,
    community_id     uuid NOT NULL,
    place_id         uuid NOT NULL REFERENCES places(id),
    place_path       TEXT COLLATE "C" NOT NULL,
    grid_id          uuid NOT NULL REFERENCES places(id),
    grid_path        TEXT COLLATE "C" NOT NULL,
    category         TEXT NOT NULL,
    description      TEXT NOT NULL,
    location_text    TEXT NOT NULL,
    lat              DOUBLE PRECISION,
    lng              DOUBLE PRECISION,
    photos           TEXT NOT NULL,
    status           TEXT NOT NULL,
    status_since     timestamptz NOT NULL,
    due_at           timestamptz,
    assignee_type    TEXT,
    assignee_id      uuid,
    assignee_name    TEXT NOT NULL,
    reporter_id      uuid,
    source           TEXT NOT NULL,
    result           TEXT,
    satisfaction     BIGINT,
    escalations      BIGINT NOT NULL,
    -- First acceptance, and whether it was within the deadline (the 12345 response rate).
    accepted_at      timestamptz,
    accepted_in_time BOOLEAN,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    closed_at        timestamptz
);
CREATE INDEX grid_events_place ON grid_events(place_path, status, created_at);
CREATE INDEX grid_events_grid ON grid_events(grid_path, created_at);
CREATE INDEX grid_events_due ON grid_events(due_at);

CREATE TABLE event_timeline (
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    event_id      uuid NOT NULL REFERENCES grid_events(id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      uuid,
    at            timestamptz NOT NULL,
    note          TEXT NOT NULL
);
CREATE INDEX event_timeline_event ON event_timeline(event_id, at);

-- Photos of events (and, later, of orders): the file lives under the data directory with a name made from
-- the id, never from anything the user sent; the row says who uploaded it and what it is attached to.
CREATE TABLE photos (
    id             uuid PRIMARY KEY NOT NULL,
    uploaded_by    uuid,
    content_type   TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    object_type    TEXT,
    object_id      uuid,
    created_at     timestamptz NOT NULL
);
CREATE INDEX photos_object ON photos(object_type, object_id);
