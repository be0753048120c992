-- Initial schema of the SQLite store.
--
-- One table per entity of crm_core::store::schema: tenant_id, id, version, the indexed
-- columns of its TableSpec in order, and the whole record as JSON in body.
-- Column types: Int -> INTEGER, Text -> TEXT, Time -> INTEGER microseconds since the Unix
-- epoch (UTC), Bool -> INTEGER 0/1. Tables are STRICT so a mistyped value is rejected.
-- An applied migration is never edited: later changes go into new files.

CREATE TABLE tenants (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE users (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    department_id INTEGER,
    supervisor_id INTEGER,
    active INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX users_supervisor ON users (tenant_id, supervisor_id);
CREATE INDEX users_department ON users (tenant_id, department_id);

CREATE TABLE departments (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    parent_id INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX departments_parent ON departments (tenant_id, parent_id);

CREATE TABLE roles (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    name TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX roles_name ON roles (tenant_id, name);

CREATE TABLE customers (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    owner_id INTEGER,
    pool_id INTEGER,
    name TEXT,
    name_norm TEXT,
    phone_norm TEXT,
    external_ref TEXT,
    level TEXT,
    deal_status TEXT,
    owned_since INTEGER,
    next_followup_at INTEGER,
    escalation_pending INTEGER,
    created_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX customers_external_ref ON customers (tenant_id, external_ref)
    WHERE external_ref IS NOT NULL;
-- Owner and pool indexes end in id: a scoped page reads each owner's or pool's first ids
-- straight from the index, in order.
CREATE INDEX customers_owner ON customers (tenant_id, owner_id, id);
CREATE INDEX customers_pool ON customers (tenant_id, pool_id, id);
CREATE INDEX customers_name_norm ON customers (tenant_id, name_norm);
CREATE INDEX customers_phone_norm ON customers (tenant_id, phone_norm);
CREATE INDEX customers_owned_since ON customers (tenant_id, owned_since);
CREATE INDEX customers_next_followup ON customers (tenant_id, next_followup_at);

-- The unique index (tenant_id, customer_id, user_id) also serves lookups by
-- (tenant_id, customer_id).
CREATE TABLE team_members (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    user_id INTEGER,
    access TEXT,
    "cascade" INTEGER,
    expires_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX team_members_customer_user ON team_members (tenant_id, customer_id, user_id);
CREATE INDEX team_members_user ON team_members (tenant_id, user_id);

CREATE TABLE contacts (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    name TEXT,
    phone_norm TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX contacts_customer ON contacts (tenant_id, customer_id);

CREATE TABLE followups (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    author_id INTEGER,
    at INTEGER,
    next_followup_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, customer_id) REFERENCES customers (tenant_id, id)
) STRICT;
CREATE INDEX followups_customer ON followups (tenant_id, customer_id);
CREATE INDEX followups_author_due ON followups (tenant_id, author_id, next_followup_at);

-- Next free id per entity (keyed by table name); ids are never handed out twice.
CREATE TABLE id_sequences (
    entity TEXT PRIMARY KEY,
    next_id INTEGER NOT NULL
) STRICT;

-- Append-only audit log; changes is a JSON array of {field, before, after}.
CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    tenant_id INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor_id INTEGER,
    operation TEXT NOT NULL,
    entity TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    changes TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_record ON audit_log (tenant_id, entity, record_id);
CREATE INDEX audit_log_actor ON audit_log (tenant_id, actor_id, id);

-- Event outbox: per-tenant gapless sequence; payload is JSON.
CREATE TABLE events (
    tenant_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL,
    entity TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
) STRICT;

-- Last sequence number handed out per tenant.
CREATE TABLE event_seqs (
    tenant_id INTEGER PRIMARY KEY,
    last_seq INTEGER NOT NULL
) STRICT;
