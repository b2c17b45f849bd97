-- Certificates of volunteer service (志愿服务证明): numbered, free, verifiable by number. Each keeps what
-- it showed when issued, so a later correction of the records does not change a paper already handed out.
CREATE TABLE certificates (
    id              {UUID} PRIMARY KEY NOT NULL,
    community_id    {UUID} NOT NULL,
    place_path      TEXT{C} NOT NULL,
    number          TEXT NOT NULL,
    volunteer_id    {UUID} NOT NULL REFERENCES volunteers(id),
    volunteer_name  TEXT NOT NULL,
    volunteer_no    TEXT NOT NULL,
    community_name  TEXT NOT NULL,
    from_date       {DATE} NOT NULL,
    to_date         {DATE} NOT NULL,
    minutes         BIGINT NOT NULL,
    records         BIGINT NOT NULL,
    content         TEXT NOT NULL,
    issued_at       {TS} NOT NULL,
    issued_by       {UUID},
    issuer_name     TEXT NOT NULL
);
CREATE UNIQUE INDEX certificates_number ON certificates(number);
CREATE INDEX certificates_volunteer ON certificates(volunteer_id, issued_at);
