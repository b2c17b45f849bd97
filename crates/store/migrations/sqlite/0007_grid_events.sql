-- Generated from migrations/template/0007_grid_events.sql by render.py; edit the template.
-- Grid events (网格事件, issue 5): problems found on patrol, handled at the grid or escalated to the
-- community and the street; each keeps a timeline. `place_path` is where the event is now (it moves up on
-- escalation), `grid_path` where it was reported, so the grid's figures keep counting it.

CREATE TABLE grid_events (
    id               BLOB PRIMARY KEY NOT NULL,
    community_id     BLOB NOT NULL,
    place_id         BLOB NOT NULL REFERENCES places(id),
    place_path       TEXT NOT NULL,
    grid_id          BLOB NOT NULL REFERENCES places(id),
    grid_path        TEXT NOT NULL,
    category         TEXT NOT NULL,
    description      TEXT NOT NULL,
    location_text    TEXT NOT NULL,
    lat              DOUBLE PRECISION,
    lng              DOUBLE PRECISION,
    photos           TEXT NOT NULL,
    status           TEXT NOT NULL,
    status_since     TEXT NOT NULL,
    due_at           TEXT,
    assignee_type    TEXT,
    assignee_id      BLOB,
    assignee_name    TEXT NOT NULL,
    reporter_id      BLOB,
    source           TEXT NOT NULL,
    result           TEXT,
    satisfaction     BIGINT,
    escalations      BIGINT NOT NULL,
    -- First acceptance, and whether it was within the deadline (the 12345 response rate).
    accepted_at      TEXT,
    accepted_in_time BOOLEAN,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    closed_at        TEXT
);
CREATE INDEX grid_events_place ON grid_events(place_path, status, created_at);
CREATE INDEX grid_events_grid ON grid_events(grid_path, created_at);
CREATE INDEX grid_events_due ON grid_events(due_at);

CREATE TABLE event_timeline (
    id            BLOB PRIMARY KEY NOT NULL,
    community_id  BLOB NOT NULL,
    event_id      BLOB NOT NULL REFERENCES grid_events(id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      BLOB,
    at            TEXT NOT NULL,
    note          TEXT NOT NULL
);
CREATE INDEX event_timeline_event ON event_timeline(event_id, at);

-- Photos of events (and, later, of orders): the file lives under the data directory with a name made from
-- the id, never from anything the user sent; the row says who uploaded it and what it is attached to.
CREATE TABLE photos (
    id             BLOB PRIMARY KEY NOT NULL,
    uploaded_by    BLOB,
    content_type   TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    object_type    TEXT,
    object_id      BLOB,
    created_at     TEXT NOT NULL
);
CREATE INDEX photos_object ON photos(object_type, object_id);
