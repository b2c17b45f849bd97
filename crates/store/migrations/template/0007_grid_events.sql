-- Grid events (网格事件, issue 5): problems found on patrol, handled at the grid or escalated to the
-- community and the street; each keeps a timeline. `place_path` is where the event is now (it moves up on
-- escalation), `grid_path` where it was reported, so the grid's figures keep counting it.

CREATE TABLE grid_events (
    id               {UUID} PRIMARY KEY NOT NULL,
    community_id     {UUID} NOT NULL,
    place_id         {UUID} NOT NULL REFERENCES places(id),
    place_path       TEXT{C} NOT NULL,
    grid_id          {UUID} NOT NULL REFERENCES places(id),
    grid_path        TEXT{C} NOT NULL,
    category         TEXT NOT NULL,
    description      TEXT NOT NULL,
    location_text    TEXT NOT NULL,
    lat              DOUBLE PRECISION,
    lng              DOUBLE PRECISION,
    photos           TEXT NOT NULL,
    status           TEXT NOT NULL,
    status_since     {TS} NOT NULL,
    due_at           {TS},
    assignee_type    TEXT,
    assignee_id      {UUID},
    assignee_name    TEXT NOT NULL,
    reporter_id      {UUID},
    source           TEXT NOT NULL,
    result           TEXT,
    satisfaction     BIGINT,
    escalations      BIGINT NOT NULL,
    -- First acceptance, and whether it was within the deadline (the 12345 response rate).
    accepted_at      {TS},
    accepted_in_time BOOLEAN,
    created_at       {TS} NOT NULL,
    updated_at       {TS} NOT NULL,
    closed_at        {TS}
);
CREATE INDEX grid_events_place ON grid_events(place_path, status, created_at);
CREATE INDEX grid_events_grid ON grid_events(grid_path, created_at);
CREATE INDEX grid_events_due ON grid_events(due_at);

CREATE TABLE event_timeline (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    event_id      {UUID} NOT NULL REFERENCES grid_events(id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      {UUID},
    at            {TS} NOT NULL,
    note          TEXT NOT NULL
);
CREATE INDEX event_timeline_event ON event_timeline(event_id, at);

-- Photos of events (and, later, of orders): the file lives under the data directory with a name made from
-- the id, never from anything the user sent; the row says who uploaded it and what it is attached to.
CREATE TABLE photos (
    id             {UUID} PRIMARY KEY NOT NULL,
    uploaded_by    {UUID},
    content_type   TEXT NOT NULL,
    bytes          BIGINT NOT NULL,
    sha256         TEXT NOT NULL,
    object_type    TEXT,
    object_id      {UUID},
    created_at     {TS} NOT NULL
);
CREATE INDEX photos_object ON photos(object_type, object_id);
