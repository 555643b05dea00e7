-- `other`: what the category classifier stores when it is not confident of any of the five.
INSERT INTO categories (name) VALUES ('other') ON CONFLICT DO NOTHING;
