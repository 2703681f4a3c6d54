-- Shared mode (issue 18): several akwaba instances on one Postgres (DATABASE_URL). What one
-- instance kept in DATA_DIR lives here, in its own schema: never exposed by Supabase's REST API
-- (only `public` is), read and written only by the instances over a direct connection.
-- The single-instance default creates these tables too and never uses them.

CREATE SCHEMA IF NOT EXISTS cluster;
REVOKE ALL ON SCHEMA cluster FROM PUBLIC;

-- One row per instance start. An instance is alive while its session holds the advisory lock
-- (7367543, id): Postgres releases it the moment the process dies, even on kill -9.
CREATE TABLE IF NOT EXISTS cluster.instances (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL,
  started_at timestamptz NOT NULL DEFAULT now(),
  -- Shutting down: it finishes its chats but is given no new one.
  leaving boolean NOT NULL DEFAULT false
);

-- The inbound journal: every customer message, once (the platform's redelivery is a conflict),
-- until its real answer (or the last word on it) is delivered. Times are epoch milliseconds.
CREATE TABLE IF NOT EXISTS cluster.journal (
  channel text NOT NULL,
  chat_id text NOT NULL,
  message_id text NOT NULL,
  message jsonb,
  received_at bigint NOT NULL,
  fallback_at bigint,
  answered_at bigint,
  answered_how text,
  PRIMARY KEY (channel, chat_id, message_id)
);
CREATE INDEX IF NOT EXISTS journal_open ON cluster.journal (channel, chat_id, received_at) WHERE answered_at IS NULL;
CREATE INDEX IF NOT EXISTS journal_answered ON cluster.journal (answered_at) WHERE answered_at IS NOT NULL;

-- Which instance answers a chat: its conversation (turns, deadlines, supersede) lives in that
-- one process. Taken over only when the owner's lock is gone.
CREATE TABLE IF NOT EXISTS cluster.chats (
  channel text NOT NULL,
  chat_id text NOT NULL,
  instance_id bigint NOT NULL,
  since timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (channel, chat_id)
);
CREATE INDEX IF NOT EXISTS chats_instance ON cluster.chats (instance_id);

-- Conversation memory (what the model is shown), one row per conversation.
CREATE TABLE IF NOT EXISTS cluster.history (
  conversation_key text PRIMARY KEY,
  entries jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- The instances whose lock is held now, in this database.
CREATE OR REPLACE FUNCTION cluster.live_instances() RETURNS SETOF bigint
LANGUAGE sql STABLE
SET search_path = ''
AS $$
  SELECT l.objid::bigint FROM pg_catalog.pg_locks l
  WHERE l.locktype = 'advisory' AND l.classid = 7367543 AND l.objsubid = 2 AND l.granted
    AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
$$;
REVOKE ALL ON FUNCTION cluster.live_instances() FROM PUBLIC;

-- Small JSON records the instances share, by kind and key: a checkout under way
-- (kind 'checkout', key the conversation), the handed-off chats (kind 'handoffs', one list).
CREATE TABLE IF NOT EXISTS cluster.records (
  kind text NOT NULL,
  key text NOT NULL,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (kind, key)
);
