-- Business calendars, SLA policies, tickets and ticket messages (crm_core::store::schema).
-- Same conventions as 0001: STRICT tables, Time as INTEGER microseconds, Bool as 0/1.

CREATE TABLE calendars (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE sla_policies (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    position INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE tickets (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    assignee_id INTEGER,
    group_name TEXT,
    status TEXT,
    priority TEXT,
    created_at INTEGER,
    sla_next_check_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX tickets_customer ON tickets (tenant_id, customer_id);
CREATE INDEX tickets_assignee ON tickets (tenant_id, assignee_id, status);
CREATE INDEX tickets_sla_next_check ON tickets (tenant_id, sla_next_check_at);
CREATE INDEX tickets_created ON tickets (tenant_id, created_at);

CREATE TABLE ticket_messages (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    ticket_id INTEGER,
    customer_id INTEGER,
    at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX ticket_messages_ticket ON ticket_messages (tenant_id, ticket_id, at);
CREATE INDEX ticket_messages_customer ON ticket_messages (tenant_id, customer_id);
