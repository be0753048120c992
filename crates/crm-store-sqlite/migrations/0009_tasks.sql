-- Tasks (任务) and the tenant's stage templates of tasks (ADR 0022). Same conventions as
-- 0006: STRICT tables, Time as INTEGER microseconds.
-- `collaborators` lists the collaborators as `,12,13,` (a reader finds themselves with a
-- substring test); `template_key` is set only while a stage-template task is open, so the
-- partial unique index allows one open copy per (opportunity, stage, item).

CREATE TABLE tasks (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    owner_id INTEGER,
    status TEXT,
    due_at INTEGER,
    priority INTEGER,
    next_reminder_at INTEGER,
    collaborators TEXT,
    lead_id INTEGER,
    customer_id INTEGER,
    contact_id INTEGER,
    opportunity_id INTEGER,
    contract_id INTEGER,
    ticket_id INTEGER,
    template_key TEXT,
    completed_at INTEGER,
    created_at INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX tasks_owner ON tasks (tenant_id, owner_id, id);
CREATE INDEX tasks_due_at ON tasks (tenant_id, due_at, id);
-- The reminder sweep reads only the tasks with a reminder due, by this index.
CREATE INDEX tasks_next_reminder ON tasks (tenant_id, next_reminder_at, id);
CREATE INDEX tasks_lead ON tasks (tenant_id, lead_id, id);
CREATE INDEX tasks_customer ON tasks (tenant_id, customer_id, id);
CREATE INDEX tasks_contact ON tasks (tenant_id, contact_id, id);
CREATE INDEX tasks_opportunity ON tasks (tenant_id, opportunity_id, id);
CREATE INDEX tasks_contract ON tasks (tenant_id, contract_id, id);
CREATE INDEX tasks_ticket ON tasks (tenant_id, ticket_id, id);
CREATE UNIQUE INDEX tasks_template_key ON tasks (tenant_id, template_key)
    WHERE template_key IS NOT NULL;

CREATE TABLE task_templates (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
