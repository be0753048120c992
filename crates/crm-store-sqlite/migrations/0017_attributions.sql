-- Attributions of won deals to campaign touches (归因, ADR 0033). Same conventions as 0001:
-- STRICT tables, Time as INTEGER microseconds. One row per deal and model; the row hangs off
-- the deal's customer for scope.

CREATE TABLE attributions (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    deal_kind TEXT,
    deal_id INTEGER,
    customer_id INTEGER,
    model_key TEXT,
    closed_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX attributions_deal_model_key ON attributions (tenant_id, deal_kind, deal_id, model_key);
CREATE INDEX attributions_customer ON attributions (tenant_id, customer_id, id);
CREATE INDEX attributions_model_closed ON attributions (tenant_id, model_key, closed_at);
