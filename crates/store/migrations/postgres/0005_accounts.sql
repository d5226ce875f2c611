-- Admin accounts: merchant users (owner, agent) of one tenant, operators of none. One account
-- per email address across the platform, so a login needs no shop name.
CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT REFERENCES tenants(id) ON DELETE CASCADE,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX users_tenant ON users(tenant_id);

-- Admin sessions. The cookie holds a random token; only its SHA-256 is kept, so a read of this
-- table cannot be replayed as a login. `tenant_id` is the shop the session acts on (an operator
-- switches between shops); `csrf` is the token every form must send back.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    tenant_id  TEXT REFERENCES tenants(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Analytics read a tenant's conversations by time (orders have their index since 0003).
CREATE INDEX conversations_tenant_created ON conversations(tenant_id, created_at);

-- Public (widget) keys are published in the shop's pages anyway: keep their text so the admin
-- can show the snippet again. Secret keys stay hashed only.
ALTER TABLE api_keys ADD COLUMN public_token TEXT;
