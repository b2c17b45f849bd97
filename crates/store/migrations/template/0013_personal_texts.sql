-- Issue 12, point 5: ledgers and timelines are append-only, yet the law's right to erasure (PIPL art. 47)
-- must still be honoured. So append-only rows keep ids, statuses and amounts, and the free text typed
-- beside them (notes, comments, what a volunteer did, who approved) lives here, one row per (row, field),
-- where it can be erased on a lawful request while every sum stays intact. Not append-only by design.
CREATE TABLE personal_texts (
    owner_id      {UUID} NOT NULL,
    field         TEXT NOT NULL,
    community_id  {UUID},
    body          TEXT,
    erased_at     {TS},
    PRIMARY KEY (owner_id, field)
);

INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM points_entries WHERE note <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'reason', community_id, reason FROM stock_entries WHERE reason <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'approver', community_id, approver FROM stock_entries WHERE approver <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'content', community_id, content FROM service_records WHERE content <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'place_text', community_id, place_text FROM service_records WHERE place_text <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'reason', community_id, reason FROM service_records WHERE reason IS NOT NULL;
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM activity_timeline WHERE note <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM order_timeline WHERE note <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'comment', community_id, comment FROM order_evaluations WHERE comment <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM event_timeline WHERE note <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM project_timeline WHERE note <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM place_moves WHERE note <> '';
INSERT INTO personal_texts (owner_id, field, community_id, body)
    SELECT id, 'note', community_id, note FROM resident_moves WHERE note <> '';

ALTER TABLE points_entries DROP COLUMN note;
ALTER TABLE stock_entries DROP COLUMN reason;
ALTER TABLE stock_entries DROP COLUMN approver;
ALTER TABLE service_records DROP COLUMN content;
ALTER TABLE service_records DROP COLUMN place_text;
ALTER TABLE service_records DROP COLUMN reason;
ALTER TABLE activity_timeline DROP COLUMN note;
ALTER TABLE order_timeline DROP COLUMN note;
ALTER TABLE order_evaluations DROP COLUMN comment;
ALTER TABLE event_timeline DROP COLUMN note;
ALTER TABLE project_timeline DROP COLUMN note;
ALTER TABLE place_moves DROP COLUMN note;
ALTER TABLE resident_moves DROP COLUMN note;
