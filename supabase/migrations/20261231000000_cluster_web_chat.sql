-- Shared mode (issue 18): the web chat's visitors on every instance. Each event of a visitor's
-- chat (a message either way, a photo) is one row, written once by the instance that made it,
-- so instances writing the same chat never overwrite each other. `seq` is the order of writing.
CREATE TABLE IF NOT EXISTS cluster.web_chat_events (
  seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  chat_id text NOT NULL,
  event_id text NOT NULL,
  at bigint NOT NULL,
  event jsonb NOT NULL,
  UNIQUE (chat_id, event_id)
);
CREATE INDEX IF NOT EXISTS web_chat_events_chat ON cluster.web_chat_events (chat_id, seq);
CREATE INDEX IF NOT EXISTS web_chat_events_at ON cluster.web_chat_events (at);
