-- Each mention carries its article's source (the registrable domain, as articles.source), so
-- the window of a trend query -- articles and distinct sources per entity -- is read from one
-- covering index range of the mentions alone, without visiting the articles. Mentions exist
-- only for done articles (they are written in the transaction that marks the article done),
-- so no status check is needed either.
ALTER TABLE article_entities ADD COLUMN source TEXT;
UPDATE article_entities SET source =
    (SELECT a.source FROM articles a WHERE a.id = article_entities.article_id);
CREATE INDEX article_entities_window_sources ON article_entities (seen_at, entity_id, source);
DROP INDEX article_entities_window;
