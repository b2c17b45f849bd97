-- Generated from migrations/template/0004_certificates.sql by render.py; edit the template.
-- Certificates of volunteer service (志愿服务证明): numbered, free, verifiable by number. Each keeps what
-- it showed when issued, so a later correction of the records does not change a paper already handed out.
CREATE TABLE certificates (
    id              uuid PRIMARY KEY NOT NULL,
    community_id    uuid NOT NULL,
    place_path      TEXT COLLATE "C" NOT NULL,
    number          TEXT NOT NULL,
    volunteer_id    uuid NOT NULL REFERENCES volunteers(id),
    volunteer_name  TEXT NOT NULL,
    volunteer_no    TEXT NOT NULL,
    community_name  TEXT NOT NULL,
    from_date       date NOT NULL,
    to_date         date NOT NULL,
    minutes         BIGINT NOT NULL,
    records         BIGINT NOT NULL,
    content         TEXT NOT NULL,
    issued_at       timestamptz NOT NULL,
    issued_by       uuid,
    issuer_name     TEXT NOT NULL
);
CREATE UNIQUE INDEX certificates_number ON certificates(number);
CREATE INDEX certificates_volunteer ON certificates(volunteer_id, issued_at);
