-- Leads (线索). Same conventions as 0001: STRICT tables, Time as INTEGER microseconds.
-- `phone`, `email` and `company_norm` hold the duplicate-check keys (phone key, lower-cased
-- e-mail, normalized company name), not the values as entered (those are in body).

CREATE TABLE leads (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    owner_id INTEGER,
    pool_id INTEGER,
    status TEXT,
    phone TEXT,
    email TEXT,
    company_norm TEXT,
    created_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX leads_owner ON leads (tenant_id, owner_id, id);
CREATE INDEX leads_pool ON leads (tenant_id, pool_id, id);
CREATE INDEX leads_phone ON leads (tenant_id, phone, id);
CREATE INDEX leads_email ON leads (tenant_id, email, id);
CREATE INDEX leads_company_norm ON leads (tenant_id, company_norm, id);
