-- Issue 13, the workflow kernel: one timeline for every workflow. Orders, grid events, activities and
-- projects each had a timeline table of the same shape; features to come (needy-household files, care
-- contacts, meeting actions, mediation cases) would have added one each. Now a step names its workflow and
-- its subject, and a new workflow only declares its states (decision 0016). Step ids are kept, so the
-- notes in personal_texts still belong to them. Hand-written per dialect: the append-only triggers differ.
CREATE TABLE workflow_steps (
    id            BLOB PRIMARY KEY NOT NULL,
    community_id  BLOB NOT NULL,
    workflow      TEXT NOT NULL,
    subject_id    BLOB NOT NULL,
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      BLOB,
    at            TEXT NOT NULL
);
-- A subject's timeline is read oldest first; ids are UUIDv7, unique across workflows.
CREATE INDEX workflow_steps_subject ON workflow_steps(subject_id, at, id);

INSERT INTO workflow_steps (id, community_id, workflow, subject_id, from_status, to_status, action, actor_id, at)
    SELECT id, community_id, 'order', order_id, from_status, to_status, action, actor_id, at FROM order_timeline;
INSERT INTO workflow_steps (id, community_id, workflow, subject_id, from_status, to_status, action, actor_id, at)
    SELECT id, community_id, 'event', event_id, from_status, to_status, action, actor_id, at FROM event_timeline;
INSERT INTO workflow_steps (id, community_id, workflow, subject_id, from_status, to_status, action, actor_id, at)
    SELECT id, community_id, 'project', project_id, from_status, to_status, action, actor_id, at FROM project_timeline;
-- Activity steps had no action; each status is reached by exactly one (creation makes a draft).
INSERT INTO workflow_steps (id, community_id, workflow, subject_id, from_status, to_status, action, actor_id, at)
    SELECT id, community_id, 'activity', activity_id, from_status, to_status,
        CASE to_status WHEN 'draft' THEN 'create' WHEN 'published' THEN 'publish'
            WHEN 'completed' THEN 'complete' ELSE 'cancel' END, actor_id, at FROM activity_timeline;

-- Counts per status kept with every change (issue 13): the dispatch board's order_counts, now for any
-- workflow, so a board of events or cases reads its counts without counting its rows.
CREATE TABLE status_counts (
    workflow      TEXT NOT NULL,
    bucket        TEXT NOT NULL,
    community_id  BLOB,
    status        TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (workflow, bucket, status)
);
INSERT INTO status_counts (workflow, bucket, community_id, status, n)
    SELECT 'order', bucket, community_id, status, n FROM order_counts;
DROP TABLE order_counts;

-- Record-level access (issue 13): the few records that role x place is too wide for (a resident's health
-- findings, a mediation case's parties, a social worker's case work) are read only by the users granted
-- them, checked in SQL beside the place scope. A grant is withdrawn, never deleted, so who could read what
-- and when stays known.
CREATE TABLE record_grants (
    id            BLOB PRIMARY KEY NOT NULL,
    community_id  BLOB NOT NULL,
    record_id     BLOB NOT NULL,
    user_id       BLOB NOT NULL,
    reason        TEXT NOT NULL,
    granted_by    BLOB,
    granted_at    TEXT NOT NULL,
    withdrawn_at  TEXT
);
CREATE INDEX record_grants_user ON record_grants(user_id, record_id);
CREATE INDEX record_grants_record ON record_grants(record_id, granted_at);

-- Who the caller serves an order or event as: the teams their volunteer record leads, read per request.
CREATE INDEX teams_leader ON teams(leader_id);
DROP TRIGGER order_timeline_no_update;
DROP TRIGGER order_timeline_no_delete;
DROP TRIGGER event_timeline_no_update;
DROP TRIGGER event_timeline_no_delete;
DROP TRIGGER project_timeline_no_update;
DROP TRIGGER project_timeline_no_delete;
DROP TRIGGER activity_timeline_no_update;
DROP TRIGGER activity_timeline_no_delete;
DROP TABLE order_timeline;
DROP TABLE event_timeline;
DROP TABLE project_timeline;
DROP TABLE activity_timeline;
CREATE TRIGGER workflow_steps_no_update BEFORE UPDATE ON workflow_steps
BEGIN SELECT RAISE(ABORT, 'workflow_steps is append-only'); END;
CREATE TRIGGER workflow_steps_no_delete BEFORE DELETE ON workflow_steps
BEGIN SELECT RAISE(ABORT, 'workflow_steps is append-only'); END;
