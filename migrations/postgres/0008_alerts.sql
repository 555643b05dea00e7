-- Alerts and their delivery. An alert row records what a rule fired about; the outbox holds one
-- row per alert and sink until the sink has it (leased, retried with backoff, kept afterwards
-- for `sinks status`). alert_cooldowns serialises firing: a rule fires about a subject only by
-- taking (or renewing an expired) row here in the transaction that records the alert, so two
-- daemons on one database never fire the same alert.

CREATE TABLE alerts (
    id        BIGSERIAL PRIMARY KEY,
    rule      TEXT NOT NULL,
    kind      TEXT NOT NULL,                    -- match | spike
    subject   TEXT NOT NULL,                    -- article:<id>, entity:<type>:<name>, topic:<name>
    fired_at  TIMESTAMPTZ NOT NULL,
    articles  JSONB NOT NULL DEFAULT '[]',       -- JSON array of article ids
    matched   JSONB NOT NULL DEFAULT '[]',       -- JSON array of what matched
    details   JSONB NOT NULL DEFAULT '{}'        -- JSON object: counts of a spike
);
CREATE INDEX alerts_fired ON alerts (fired_at);

CREATE TABLE alert_cooldowns (
    rule    TEXT NOT NULL,
    subject TEXT NOT NULL,
    until   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (rule, subject)
);

CREATE TABLE outbox (
    id              BIGSERIAL PRIMARY KEY,
    alert_id        BIGINT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    sink            TEXT NOT NULL,
    event           TEXT NOT NULL,              -- alert.fired
    created_at      TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     TIMESTAMPTZ,
    delivered_at    TIMESTAMPTZ,
    given_up_at     TIMESTAMPTZ,                  -- refused for good (a 4xx answer): not retried
    last_error      TEXT,
    UNIQUE (alert_id, sink)
);
CREATE INDEX outbox_pending ON outbox (sink, id) WHERE delivered_at IS NULL AND given_up_at IS NULL;
