-- Issue 13, the workflow kernel: one timeline for every workflow. Orders, grid events, activities and
-- projects each had a timeline table of the same shape; features to come (needy-household files, care
-- contacts, meeting actions, mediation cases) would have added one each. Now a step names its workflow and
-- its subject, and a new workflow only declares its states (decision 0016). Step ids are kept, so the
-- notes in personal_texts still belong to them. Hand-written per dialect: the append-only triggers differ.
CREATE TABLE workflow_steps (
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    workflow      TEXT NOT NULL,
    subject_id    uuid NOT NULL,
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      uuid,
    at            timestamptz NOT NULL
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
    bucket        TEXT COLLATE "C" NOT NULL,
    community_id  uuid,
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
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    record_id     uuid NOT NULL,
    user_id       uuid NOT NULL,
    reason        TEXT NOT NULL,
    granted_by    uuid,
    granted_at    timestamptz NOT NULL,
    withdrawn_at  timestamptz
);
CREATE INDEX record_grants_user ON record_grants(user_id, record_id);
CREATE INDEX record_grants_record ON record_grants(record_id, granted_at);

-- Who the caller serves an order or event as: the teams their volunteer record leads, read per request.
CREATE INDEX teams_leader ON teams(leader_id);
DROP TABLE order_timeline;
DROP TABLE event_timeline;
DROP TABLE project_timeline;
DROP TABLE activity_timeline;
CREATE TRIGGER workflow_steps_no_change BEFORE UPDATE OR DELETE ON workflow_steps
FOR EACH ROW EXECUTE FUNCTION append_only();
CREATE TRIGGER workflow_steps_no_truncate BEFORE TRUNCATE ON workflow_steps
FOR EACH STATEMENT EXECUTE FUNCTION append_only();
