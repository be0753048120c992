-- Segments (客户分群, ADR 0031). Same conventions as 0001: STRICT tables, Time as INTEGER
-- microseconds. A segment member row is one stint of a customer in a segment; open_customer
-- is the customer id while the stint is open (left_at NULL), so the partial key holds one
-- open stint per segment and customer. Overrides: one include or exclude per segment and
-- customer. Evaluation seeks a batch's stints and overrides by (segment, customer).

CREATE TABLE segments (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    name TEXT,
    status TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX segments_name ON segments (tenant_id, name);

CREATE TABLE segment_members (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    segment_id INTEGER,
    customer_id INTEGER,
    joined_at INTEGER,
    left_at INTEGER,
    open_customer INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX segment_members_open ON segment_members (tenant_id, segment_id, open_customer)
    WHERE segment_id IS NOT NULL AND open_customer IS NOT NULL;
CREATE INDEX segment_members_segment_customer ON segment_members (tenant_id, segment_id, customer_id, id);
CREATE INDEX segment_members_customer ON segment_members (tenant_id, customer_id, id);

CREATE TABLE segment_overrides (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    segment_id INTEGER,
    customer_id INTEGER,
    mode TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX segment_overrides_segment_customer ON segment_overrides (tenant_id, segment_id, customer_id);
CREATE INDEX segment_overrides_customer ON segment_overrides (tenant_id, customer_id);
