-- Generated from migrations/template/0006_orders.sql by render.py; edit the template.
-- The four orders (四单机制, issue 5): orders with their timeline and the three evaluations, the step
-- deadlines each community sets per category, and the overdue flags the background job raises.

CREATE TABLE orders (
    id             uuid PRIMARY KEY NOT NULL,
    community_id   uuid NOT NULL,
    -- The household's place when there is one (so its grid steward sees it), else the community's.
    place_path     TEXT COLLATE "C" NOT NULL,
    household_id   uuid REFERENCES households(id),
    category       TEXT NOT NULL,
    content        TEXT NOT NULL,
    wanted_by      date,
    status         TEXT NOT NULL,
    status_since   timestamptz NOT NULL,
    -- When the current step is due (none once closed); the alert job reads this.
    due_at         timestamptz,
    assignee_type  TEXT,
    assignee_id    uuid,
    assignee_name  TEXT NOT NULL,
    placed_by      uuid,
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    closed_at      timestamptz
);
CREATE INDEX orders_board ON orders(place_path, status, created_at);
CREATE INDEX orders_due ON orders(due_at);
CREATE INDEX orders_placed_by ON orders(placed_by, created_at);
CREATE INDEX orders_assignee ON orders(assignee_id, status);

CREATE TABLE order_timeline (
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    order_id      uuid NOT NULL REFERENCES orders(id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      uuid,
    at            timestamptz NOT NULL,
    note          TEXT NOT NULL
);
CREATE INDEX order_timeline_order ON order_timeline(order_id, at);

CREATE TABLE order_evaluations (
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    order_id      uuid NOT NULL REFERENCES orders(id),
    by_party      TEXT NOT NULL,
    score         BIGINT NOT NULL,
    comment       TEXT NOT NULL,
    actor_id      uuid,
    at            timestamptz NOT NULL
);
-- Each party evaluates once; the index also settles two racing evaluations by the same party.
CREATE UNIQUE INDEX order_evaluations_party ON order_evaluations(order_id, by_party);

-- Step deadlines a community sets per category (JSON of hours/days); the defaults apply where none is set.
CREATE TABLE step_deadlines (
    community_id  uuid NOT NULL,
    workflow      TEXT NOT NULL,
    category      TEXT NOT NULL,
    deadlines     TEXT NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_by    uuid,
    PRIMARY KEY (community_id, workflow, category)
);

-- A step past its deadline, flagged once by whichever instance's job saw it first: the unique index on
-- (object, step, due time) is what makes two runners on one database flag it once.
CREATE TABLE alerts (
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    place_path    TEXT COLLATE "C" NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     uuid NOT NULL,
    step          TEXT NOT NULL,
    due_at        timestamptz NOT NULL,
    flagged_at    timestamptz NOT NULL,
    cleared_at    timestamptz,
    title         TEXT NOT NULL
);
CREATE UNIQUE INDEX alerts_once ON alerts(object_type, object_id, step, due_at);
CREATE INDEX alerts_open ON alerts(place_path, cleared_at);
