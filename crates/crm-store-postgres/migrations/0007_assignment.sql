-- Lead assignment (线索分配): the tenant's rules (one row, id 1), each entry's cursor by
-- entry name, members' settings and lead counts by user (id = the user's id), and the
-- assignment records with their explanations. Same conventions as 0001.

CREATE TABLE "assignment_rules" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "body" JSONB NOT NULL,
    CONSTRAINT "assignment_rules_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "assignment_cursors" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "entry" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "assignment_cursors_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE UNIQUE INDEX "assignment_cursors_entry_key" ON "assignment_cursors" ("tenant_id", "entry");

CREATE TABLE "assignment_members" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "body" JSONB NOT NULL,
    CONSTRAINT "assignment_members_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "lead_loads" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "open_leads" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "lead_loads_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "lead_assignments" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "lead_id" BIGINT,
    "at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "lead_assignments_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "lead_assignments_lead_idx" ON "lead_assignments" ("tenant_id", "lead_id", "id");
