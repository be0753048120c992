-- Tags (标签, ADR 0030): tag definitions and the tags on customers. Same conventions as 0001:
-- STRICT tables, Time as INTEGER microseconds, Bool as 0/1. A tag's name is unique in the
-- tenant (retired tags keep theirs); a customer has one row per tag, switched on and off.

CREATE TABLE tags (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    name TEXT,
    kind TEXT,
    status TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX tags_name_key ON tags (tenant_id, name);

CREATE TABLE customer_tags (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    tag_id INTEGER,
    active INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX customer_tags_tag_customer_key ON customer_tags (tenant_id, tag_id, customer_id);
-- A customer's tags, and the batch evaluation's rows of a batch of customers.
CREATE INDEX customer_tags_customer ON customer_tags (tenant_id, customer_id, id);
-- A tag's customers, a page at a time.
CREATE INDEX customer_tags_tag_active ON customer_tags (tenant_id, tag_id, active, id);
