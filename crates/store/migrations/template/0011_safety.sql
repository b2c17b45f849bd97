-- Issue 12, who gets in: failed logins are counted per user name, whether or not that user exists, in one
-- atomic statement, so parallel guesses cannot slip past the count and an unknown name locks like a real
-- one. Rows live 15 minutes after their last failure and are purged; they are not community data.
CREATE TABLE login_failures (
    username        TEXT{C} PRIMARY KEY NOT NULL,
    failed_count    BIGINT NOT NULL,
    last_failed_at  {TS} NOT NULL,
    locked_until    {TS},
    last_ip         TEXT
);
CREATE INDEX login_failures_last ON login_failures(last_failed_at);
-- The last lock of a real account, shown to its user at the next login and then cleared.
ALTER TABLE users ADD COLUMN locked_at {TS};
ALTER TABLE users ADD COLUMN locked_from TEXT;
-- An Idempotency-Key reused with another body is refused: the first request's hash is kept.
ALTER TABLE idempotency_keys ADD COLUMN request_hash TEXT;
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);
-- Photos live in the database, so every instance behind a balancer serves every photo (a file written
-- on one instance's disk was missing on the others). Photos from before stay readable from disk.
ALTER TABLE photos ADD COLUMN content {BYTES};
