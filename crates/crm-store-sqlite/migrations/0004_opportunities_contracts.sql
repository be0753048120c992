-- Opportunities and contracts (with their receivable plans in the body).
-- Same conventions as 0001: STRICT tables, Time as INTEGER microseconds; dates as TEXT
-- YYYY-MM-DD so they compare in order.

CREATE TABLE opportunities (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    owner_id INTEGER,
    status TEXT,
    expected_close TEXT,
    created_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX opportunities_customer ON opportunities (tenant_id, customer_id);
CREATE INDEX opportunities_owner ON opportunities (tenant_id, owner_id, id);

CREATE TABLE contracts (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    owner_id INTEGER,
    number TEXT,
    status TEXT,
    next_check_on TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX contracts_number ON contracts (tenant_id, number);
CREATE INDEX contracts_customer ON contracts (tenant_id, customer_id);
CREATE INDEX contracts_owner ON contracts (tenant_id, owner_id, id);
CREATE INDEX contracts_next_check ON contracts (tenant_id, next_check_on);
