-- Rollups for trends and dashboards: per hour of event time, how many articles, distinct
-- sources and stories mention each entity, topic, category and keyphrase, and how many
-- articles there are in all (the denominator). An hour is recomputed from the per-article
-- tables whenever an article of it is stored (rollup_dirty lists the hours to redo), so the
-- counts stay right when the same article is processed twice.

-- The event time truncated to the hour (UTC): the key of the rollups.
ALTER TABLE articles ADD COLUMN event_hour TEXT;
CREATE INDEX articles_event_hour ON articles (event_hour);

CREATE TABLE rollup_dirty (
    hour TEXT PRIMARY KEY
);

CREATE TABLE hour_totals (
    hour     TEXT PRIMARY KEY,
    articles INTEGER NOT NULL,
    sources  INTEGER NOT NULL,
    stories  INTEGER NOT NULL
);

CREATE TABLE entity_hours (
    entity_id INTEGER NOT NULL REFERENCES entities (id) ON DELETE CASCADE,
    hour      TEXT NOT NULL,
    articles  INTEGER NOT NULL,
    sources   INTEGER NOT NULL,
    stories   INTEGER NOT NULL,
    PRIMARY KEY (entity_id, hour)
);
CREATE INDEX entity_hours_hour ON entity_hours (hour);

CREATE TABLE topic_hours (
    topic    TEXT NOT NULL,
    hour     TEXT NOT NULL,
    articles INTEGER NOT NULL,
    sources  INTEGER NOT NULL,
    stories  INTEGER NOT NULL,
    PRIMARY KEY (topic, hour)
);

CREATE TABLE category_hours (
    category TEXT NOT NULL,
    hour     TEXT NOT NULL,
    articles INTEGER NOT NULL,
    sources  INTEGER NOT NULL,
    stories  INTEGER NOT NULL,
    PRIMARY KEY (category, hour)
);

CREATE TABLE keyphrase_hours (
    keyphrase_id INTEGER NOT NULL REFERENCES keyphrases (id) ON DELETE CASCADE,
    hour         TEXT NOT NULL,
    articles     INTEGER NOT NULL,
    sources      INTEGER NOT NULL,
    stories      INTEGER NOT NULL,
    PRIMARY KEY (keyphrase_id, hour)
);
CREATE INDEX keyphrase_hours_hour ON keyphrase_hours (hour);

-- The documented views (same names and columns on both back ends).
CREATE VIEW entity_hourly AS
    SELECT e.name, e.type, h.hour, h.articles, h.sources, h.stories
    FROM entity_hours h JOIN entities e ON e.id = h.entity_id;
CREATE VIEW topic_hourly AS
    SELECT topic, hour, articles, sources, stories FROM topic_hours;
CREATE VIEW category_hourly AS
    SELECT category, hour, articles, sources, stories FROM category_hours;
CREATE VIEW keyphrase_hourly AS
    SELECT k.phrase, h.hour, h.articles, h.sources, h.stories
    FROM keyphrase_hours h JOIN keyphrases k ON k.id = h.keyphrase_id;
CREATE VIEW totals_hourly AS
    SELECT hour, articles, sources, stories FROM hour_totals;
CREATE VIEW story_summary AS
    SELECT s.id, s.title, s.first_seen,
           MAX(a.event_time) AS last_event,
           COUNT(a.id) AS articles,
           COUNT(DISTINCT a.source) AS sources
    FROM stories s JOIN articles a ON a.story_id = s.id AND a.status = 'done'
    GROUP BY s.id, s.title, s.first_seen;
