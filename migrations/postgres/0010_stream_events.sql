-- Stream events (issue 18): the outbox carries article events as well as alerts. A row is
-- about an alert (alert_id, for alert.fired) or about an article (article_id, for
-- article.stored, with the content hash it was stored with as its version, so every delivery
-- and every replay of that version has the same envelope id).

ALTER TABLE outbox ALTER COLUMN alert_id DROP NOT NULL;
ALTER TABLE outbox ADD COLUMN article_id BIGINT REFERENCES articles (id) ON DELETE CASCADE;
ALTER TABLE outbox ADD COLUMN version TEXT;
ALTER TABLE outbox ADD CONSTRAINT outbox_one_subject
    CHECK ((alert_id IS NULL) <> (article_id IS NULL));
CREATE INDEX outbox_article ON outbox (article_id) WHERE article_id IS NOT NULL;
