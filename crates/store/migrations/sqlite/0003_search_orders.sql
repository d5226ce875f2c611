-- The merchant's search boost per product, in percent (100 = neutral).
ALTER TABLE products ADD COLUMN boost_pct BIGINT NOT NULL DEFAULT 100;

-- Orders placed through Comptoir. Amounts in minor units of `currency`.
CREATE TABLE orders (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    currency        TEXT NOT NULL,
    total_minor     BIGINT NOT NULL,
    conversation_id TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX orders_tenant_created ON orders(tenant_id, created_at);

-- product_id is deliberately not a foreign key: the history survives the product's deletion.
CREATE TABLE order_lines (
    order_id    TEXT NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL,
    line        BIGINT NOT NULL,
    product_id  TEXT NOT NULL,
    sku         TEXT NOT NULL,
    quantity    BIGINT NOT NULL,
    unit_minor  BIGINT NOT NULL,
    PRIMARY KEY (order_id, line)
);

-- "Offer target with source": source is a product id or a category name (source_key: trimmed,
-- lower-cased, compared by the recommender).
CREATE TABLE cross_sell_rules (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    source_kind       TEXT NOT NULL CHECK (source_kind IN ('product', 'category')),
    source            TEXT NOT NULL,
    source_key        TEXT NOT NULL,
    target_product_id TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    created_at        BIGINT NOT NULL,
    UNIQUE (tenant_id, source_kind, source_key, target_product_id)
);
-- Deleting a product finds its rules without a scan.
CREATE INDEX cross_sell_rules_target ON cross_sell_rules(target_product_id);
