-- Work that holds: articles are unique by a fixed-size key (a hash of the canonical URL,
-- filled by the daemon), so no link is too long for an index (btree rows stop at 2704
-- bytes); the canonical URL itself is no longer indexed.
ALTER TABLE articles ADD COLUMN url_key TEXT;
CREATE UNIQUE INDEX articles_url_key ON articles (url_key);
ALTER TABLE articles DROP CONSTRAINT IF EXISTS articles_canonical_url_key;

-- Leases name their holder (daemon name, host, process); claims look them up by holder.
CREATE INDEX articles_lease_owner ON articles (lease_owner) WHERE lease_owner IS NOT NULL;
CREATE INDEX feeds_lease_owner ON feeds (lease_owner) WHERE lease_owner IS NOT NULL;

-- Entries a poll could not take (no link, a link too long, a row the database refused): how
-- many per poll, and the latest reason on the feed.
ALTER TABLE fetch_log ADD COLUMN rejected_entries INTEGER NOT NULL DEFAULT 0;
ALTER TABLE feeds ADD COLUMN last_entry_error TEXT;
