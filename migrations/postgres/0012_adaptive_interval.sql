-- A feed without an interval of its own is polled at an interval adapted to how often it
-- publishes (a quarter of the mean gap between its items over the last week), kept here so a
-- 304 Not Modified poll goes on at the same pace.
ALTER TABLE feeds ADD COLUMN adaptive_interval_secs INTEGER;
