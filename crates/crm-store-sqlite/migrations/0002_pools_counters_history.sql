-- Pools, the counters that guard claim limits, owner history and purchases; customer
-- columns for recycling clocks, locking and tiers (crm_core::store::schema).
-- Same conventions as 0001: STRICT tables, Time as INTEGER microseconds, Bool as 0/1.

ALTER TABLE customers ADD COLUMN locked INTEGER;
ALTER TABLE customers ADD COLUMN followup_clock_at INTEGER;
ALTER TABLE customers ADD COLUMN opportunity_clock_at INTEGER;
ALTER TABLE customers ADD COLUMN tier TEXT;
-- Recycle sweeps walk the clocks.
CREATE INDEX customers_followup_clock ON customers (tenant_id, followup_clock_at);
CREATE INDEX customers_opportunity_clock ON customers (tenant_id, opportunity_clock_at);

CREATE TABLE pools (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    is_default INTEGER,
    enabled INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

-- One row per user (id = the user's id).
CREATE TABLE held_counters (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    held INTEGER,
    held_dealt INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE claim_counters (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    pool_id INTEGER,
    user_id INTEGER,
    day TEXT,
    claims INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX claim_counters_pool_user_day ON claim_counters (tenant_id, pool_id, user_id, day);

CREATE TABLE owner_history (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX owner_history_customer ON owner_history (tenant_id, customer_id, at);

CREATE TABLE purchases (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX purchases_customer ON purchases (tenant_id, customer_id, at);
