-- What the news is about: each article's language confidence, event time and source, the
-- story it belongs to, the article it duplicates, and the user topics it matches.

-- A story: articles about the same event, from one outlet or many. Its title and first-seen
-- time come from its first article.
CREATE TABLE stories (
    id          INTEGER PRIMARY KEY,
    title       TEXT,
    first_seen  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

ALTER TABLE articles ADD COLUMN language_confidence REAL;
-- The published time when plausible, else first seen (see src/event_time.rs).
ALTER TABLE articles ADD COLUMN event_time TEXT;
-- The registrable domain of the article's URL (see urls::source_of).
ALTER TABLE articles ADD COLUMN source TEXT;
ALTER TABLE articles ADD COLUMN story_id INTEGER REFERENCES stories (id) ON DELETE SET NULL;
-- The first article with the same text, when this one is a syndicated copy.
ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles (id) ON DELETE SET NULL;
CREATE INDEX articles_event_time ON articles (event_time);
CREATE INDEX articles_story ON articles (story_id);

-- Near-duplicate search: each article's MinHash signature and the hashes of its bands.
CREATE TABLE article_signatures (
    article_id INTEGER PRIMARY KEY REFERENCES articles (id) ON DELETE CASCADE,
    signature  BLOB NOT NULL
);
CREATE TABLE article_bands (
    band       INTEGER NOT NULL,
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    PRIMARY KEY (band, article_id)
);
CREATE INDEX article_bands_article ON article_bands (article_id);

-- The user topics ([topics.NAME] in the configuration) each article matched when stored.
CREATE TABLE article_topics (
    article_id INTEGER NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    topic      TEXT NOT NULL,
    PRIMARY KEY (article_id, topic)
);
CREATE INDEX article_topics_topic ON article_topics (topic, article_id);
