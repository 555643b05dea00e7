-- Failures classified by type (dns, connect, tls, timeout, http_status, too_large, content_type,
-- not_a_feed, parse, robots, blocked, bad_url, network): the kind of a feed's latest error, and
-- of each failed poll in the fetch log.
ALTER TABLE feeds ADD COLUMN last_error_kind TEXT;
ALTER TABLE fetch_log ADD COLUMN error_kind TEXT;
