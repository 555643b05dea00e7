-- Stream events (issue 18): the outbox carries article events as well as alerts. A row is
-- about an alert (alert_id, for alert.fired) or about an article (article_id, for
-- article.stored, with the content hash it was stored with as its version, so every delivery
-- and every replay of that version has the same envelope id). SQLite cannot relax NOT NULL in
-- place: the table is rebuilt with its rows and ids.

CREATE TABLE outbox_new (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER REFERENCES alerts (id) ON DELETE CASCADE,
    article_id      INTEGER REFERENCES articles (id) ON DELETE CASCADE,
    version         TEXT,                       -- article.stored: the content hash stored
    sink            TEXT NOT NULL,
    event           TEXT NOT NULL,              -- alert.fired | article.stored
    created_at      TEXT NOT NULL,
    next_attempt_at TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    lease_owner     TEXT,
    lease_until     TEXT,
    delivered_at    TEXT,
    given_up_at     TEXT,                  -- refused for good (a 4xx answer): not retried
    last_error      TEXT,
    UNIQUE (alert_id, sink),
    CHECK ((alert_id IS NULL) <> (article_id IS NULL))
);
INSERT INTO outbox_new (id, alert_id, sink, event, created_at, next_attempt_at, attempts,
    lease_owner, lease_until, delivered_at, given_up_at, last_error)
SELECT id, alert_id, sink, event, created_at, next_attempt_at, attempts,
    lease_owner, lease_until, delivered_at, given_up_at, last_error FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_new RENAME TO outbox;
CREATE INDEX outbox_pending ON outbox (sink, id) WHERE delivered_at IS NULL AND given_up_at IS NULL;
CREATE INDEX outbox_article ON outbox (article_id) WHERE article_id IS NOT NULL;
