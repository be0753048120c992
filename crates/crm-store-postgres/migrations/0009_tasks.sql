-- Tasks (任务) and the tenant's stage templates of tasks (ADR 0022). Same conventions as
-- 0006: quoted names, TIMESTAMPTZ for instants.
-- "collaborators" lists the collaborators as `,12,13,` (a reader finds themselves with a
-- substring test); "template_key" is set only while a stage-template task is open, so the
-- partial unique index allows one open copy per (opportunity, stage, item).

CREATE TABLE "tasks" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "owner_id" BIGINT,
    "status" TEXT COLLATE "C",
    "due_at" TIMESTAMPTZ,
    "priority" BIGINT,
    "next_reminder_at" TIMESTAMPTZ,
    "collaborators" TEXT COLLATE "C",
    "lead_id" BIGINT,
    "customer_id" BIGINT,
    "contact_id" BIGINT,
    "opportunity_id" BIGINT,
    "contract_id" BIGINT,
    "ticket_id" BIGINT,
    "template_key" TEXT COLLATE "C",
    "completed_at" TIMESTAMPTZ,
    "created_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "tasks_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "tasks_owner_idx" ON "tasks" ("tenant_id", "owner_id", "id");
CREATE INDEX "tasks_due_at_idx" ON "tasks" ("tenant_id", "due_at", "id");
-- The reminder sweep reads only the tasks with a reminder due, by this index.
CREATE INDEX "tasks_next_reminder_idx" ON "tasks" ("tenant_id", "next_reminder_at", "id");
CREATE INDEX "tasks_lead_idx" ON "tasks" ("tenant_id", "lead_id", "id");
CREATE INDEX "tasks_customer_idx" ON "tasks" ("tenant_id", "customer_id", "id");
CREATE INDEX "tasks_contact_idx" ON "tasks" ("tenant_id", "contact_id", "id");
CREATE INDEX "tasks_opportunity_idx" ON "tasks" ("tenant_id", "opportunity_id", "id");
CREATE INDEX "tasks_contract_idx" ON "tasks" ("tenant_id", "contract_id", "id");
CREATE INDEX "tasks_ticket_idx" ON "tasks" ("tenant_id", "ticket_id", "id");
CREATE UNIQUE INDEX "tasks_template_key_key" ON "tasks" ("tenant_id", "template_key")
    WHERE "template_key" IS NOT NULL;

CREATE TABLE "task_templates" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "body" JSONB NOT NULL,
    CONSTRAINT "task_templates_pkey" PRIMARY KEY ("tenant_id", "id")
);
