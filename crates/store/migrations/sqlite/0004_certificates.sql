-- Generated from migrations/template/0004_certificates.sql by render.py; edit the template.
-- Certificates of volunteer service (志愿服务证明): numbered, free, verifiable by number. Each keeps what
-- it showed when issued, so a later correction of the records does not change a paper already handed out.
CREATE TABLE certificates (
    id              BLOB PRIMARY KEY NOT NULL,
    community_id    BLOB NOT NULL,
    place_path      TEXT NOT NULL,
    number          TEXT NOT NULL,
    volunteer_id    BLOB NOT NULL REFERENCES volunteers(id),
    volunteer_name  TEXT NOT NULL,
    volunteer_no    TEXT NOT NULL,
    community_name  TEXT NOT NULL,
    from_date       TEXT NOT NULL,
    to_date         TEXT NOT NULL,
    minutes         BIGINT NOT NULL,
    records         BIGINT NOT NULL,
    content         TEXT NOT NULL,
    issued_at       TEXT NOT NULL,
    issued_by       BLOB,
    issuer_name     TEXT NOT NULL
);
CREATE UNIQUE INDEX certificates_number ON certificates(number);
CREATE INDEX certificates_volunteer ON certificates(volunteer_id, issued_at);
