-- A counter bumped by every catalogue write, so caches derived from the catalogue (the
-- understanding engine's mention index) know when to rebuild, whichever table changed.
ALTER TABLE tenants ADD COLUMN catalogue_version BIGINT NOT NULL DEFAULT 0;
