-- Faster trend queries over long baselines.
-- entity_days: the articles of each entity per day of event time (UTC), summed from
-- entity_hours whenever one of the day's hours is recomputed. A 28-day baseline reads 28 rows
-- per entity instead of 672. Articles only: distinct sources and stories do not add up across
-- hours, so they stay hourly.
CREATE TABLE entity_days (
    entity_id BIGINT NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    day       TIMESTAMPTZ NOT NULL,
    articles  INTEGER NOT NULL,
    PRIMARY KEY (entity_id, day)
);
CREATE INDEX entity_days_day ON entity_days (day);
INSERT INTO entity_days (entity_id, day, articles)
    SELECT entity_id, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', SUM(articles)
    FROM entity_hours GROUP BY 1, 2;

-- The window of a trend query reads every mention of the window: one covering index range.
CREATE INDEX article_entities_window ON article_entities (seen_at, entity_id, article_id);
DROP INDEX article_entities_seen;
