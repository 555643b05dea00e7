-- Alerts and their delivery. An alert row records what a rule fired about; the outbox holds one
-- row per alert and sink until the sink has it (leased, retried with backoff, kept afterwards
-- for `sinks status`). alert_cooldowns serialises firing: a rule fires about a subject only by
-- taking (or renewing an expired) row here in the transaction that records the alert, so two
-- daemons on one database never fire the same alert.

CREATE TABLE alerts (
    id        INTEGER PRIMARY KEY,
    rule      TEXT NOT NULL,
    kind      TEXT NOT NULL,                    -- match | spike
    subject   TEXT NOT NULL,                    -- article:<id>, entity:<type>:<name>, topic:<name>
    fired_at  TEXT NOT NULL,
    articles  TEXT NOT NULL DEFAULT '[]',       -- JSON array of article ids
    matched   TEXT NOT NULL DEFAULT '[]',       -- JSON array of what matched
    details   TEXT NOT NULL DEFAULT '{}'        -- JSON object: counts of a spike
);
CREATE INDEX alerts_fired ON alerts (fired_at);

CREATE TABLE alert_cooldowns (
    rule    TEXT NOT NULL,
    subject TEXT NOT NULL,
    until   TEXT NOT NULL,
    PRIMARY KEY (rule, subject)
);

CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    sink            TEXT NOT NULL,
    event           TEXT NOT NULL,              -- alert.fired
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     TEXT,
    delivered_at    TEXT,
    given_up_at     TEXT,                  -- refused for good (a 4xx answer): not retried
    last_error      TEXT,
    UNIQUE (alert_id, sink)
);
CREATE INDEX outbox_pending ON outbox (sink, id) WHERE delivered_at IS NULL AND given_up_at IS NULL;
