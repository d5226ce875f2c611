CREATE TABLE tenants (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    plan        TEXT NOT NULL,
    currency    TEXT NOT NULL,
    locales     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    name        TEXT NOT NULL,
    prefix      TEXT NOT NULL,
    hash        TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_tenant ON api_keys(tenant_id);

CREATE TABLE products (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    external_id TEXT NOT NULL,
    brand       TEXT,
    brand_key   TEXT,
    images      TEXT,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, external_id)
);
CREATE INDEX products_tenant_id ON products(tenant_id, id);

CREATE TABLE product_translations (
    product_id   TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    tenant_id    TEXT NOT NULL,
    lang         TEXT NOT NULL,
    title        TEXT NOT NULL,
    description  TEXT NOT NULL,
    category     TEXT,
    category_key TEXT,
    tags         TEXT NOT NULL DEFAULT '[]',
    PRIMARY KEY (product_id, lang)
);
CREATE INDEX product_translations_category ON product_translations(tenant_id, category_key);

CREATE TABLE variants (
    tenant_id        TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    product_id       TEXT NOT NULL REFERENCES products(id) ON DELETE CASCADE,
    sku              TEXT NOT NULL,
    options          TEXT NOT NULL DEFAULT '[]',
    options_lang     TEXT,
    price_minor      BIGINT NOT NULL,
    compare_at_minor BIGINT,
    currency         TEXT NOT NULL,
    stock            BIGINT,
    digital          BOOLEAN NOT NULL,
    position         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, sku)
);
CREATE INDEX variants_product ON variants(product_id);

CREATE TABLE imports (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
    format         TEXT NOT NULL,
    source         TEXT NOT NULL,
    rows_total     BIGINT NOT NULL,
    rows_imported  BIGINT NOT NULL,
    rows_rejected  BIGINT NOT NULL,
    report         TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX imports_tenant ON imports(tenant_id, created_at);
