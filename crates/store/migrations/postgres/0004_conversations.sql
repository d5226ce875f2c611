-- The merchant's settings (industry template, widget look, checkout), as JSON.
ALTER TABLE tenants ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
-- Bumped by orders, cancellations and expiries (stock moves, the catalogue does not): caches
-- refresh stock levels on it instead of rebuilding from the whole catalogue.
ALTER TABLE tenants ADD COLUMN stock_version BIGINT NOT NULL DEFAULT 0;

-- Orders gain a life: awaiting_payment (stock reserved until expires_at), paid, expired
-- (reservation returned to stock), cancelled. The idempotency key makes a repeated checkout of
-- the same cart return the first order instead of placing a second one.
ALTER TABLE orders ADD COLUMN status TEXT NOT NULL DEFAULT 'awaiting_payment';
ALTER TABLE orders ADD COLUMN customer TEXT;
ALTER TABLE orders ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'manual';
ALTER TABLE orders ADD COLUMN expires_at BIGINT;
ALTER TABLE orders ADD COLUMN idempotency_key TEXT;
ALTER TABLE orders ADD COLUMN updated_at BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX orders_idempotency ON orders(tenant_id, idempotency_key);
CREATE INDEX orders_expiring ON orders(status, expires_at);
CREATE INDEX orders_conversation ON orders(conversation_id);

-- A conversation's state is one JSON document, bounded in size whatever the number of turns;
-- `version` guards against two writers saving over each other.
CREATE TABLE conversations (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    channel     TEXT NOT NULL,
    locale      TEXT,
    status      TEXT NOT NULL DEFAULT 'open',
    state       TEXT NOT NULL,
    version     BIGINT NOT NULL,
    turns       BIGINT NOT NULL DEFAULT 0,
    lead_score  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX conversations_tenant_updated ON conversations(tenant_id, updated_at);

-- One row per turn: what the shopper sent, what the agent understood, did and answered.
CREATE TABLE turns (
    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
    tenant_id       TEXT NOT NULL,
    seq             BIGINT NOT NULL,
    input           TEXT NOT NULL,
    understanding   TEXT,
    actions         TEXT NOT NULL,
    reply           TEXT NOT NULL,
    server_us       BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, seq)
);

-- Leads, quote requests, handovers and back-in-stock requests the agent collected.
CREATE TABLE leads (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id TEXT,
    kind            TEXT NOT NULL,
    name            TEXT,
    email           TEXT,
    phone           TEXT,
    details         TEXT NOT NULL,
    score           BIGINT NOT NULL,
    created_at      BIGINT NOT NULL
);
CREATE INDEX leads_tenant_created ON leads(tenant_id, created_at);

-- One calendar per tenant: a booked start time is taken once (the partial unique index is the
-- guarantee against double booking under concurrency).
CREATE TABLE appointments (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    conversation_id  TEXT,
    starts_at        BIGINT NOT NULL,
    duration_minutes BIGINT NOT NULL,
    name             TEXT,
    email            TEXT,
    phone            TEXT,
    status           TEXT NOT NULL,
    created_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX appointments_slot ON appointments(tenant_id, starts_at) WHERE status = 'booked';
