-- Story and revision events (issue 18): a story.updated row names the story an article joined
-- (story_id) beside the article (article_id) and the content hash it joined with (version);
-- article.revised rows are article rows like article.stored. Both are written in the
-- transaction that stores the article.

ALTER TABLE outbox ADD COLUMN story_id INTEGER REFERENCES stories (id) ON DELETE CASCADE;
