-- Lead assignment (线索分配): the tenant's rules (one row, id 1), each entry's cursor by
-- entry name, members' settings and lead counts by user (id = the user's id), and the
-- assignment records with their explanations. Same conventions as 0001: STRICT tables,
-- Time as INTEGER microseconds.

CREATE TABLE assignment_rules (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE assignment_cursors (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    entry TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX assignment_cursors_entry_key ON assignment_cursors (tenant_id, entry);

CREATE TABLE assignment_members (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE lead_loads (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    open_leads INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;

CREATE TABLE lead_assignments (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    lead_id INTEGER,
    at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX lead_assignments_lead ON lead_assignments (tenant_id, lead_id, id);
