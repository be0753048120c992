-- Business calendars, SLA policies, tickets and ticket messages (crm_core::store::schema).
-- Same conventions as 0001: quoted identifiers, TEXT COLLATE "C", TIMESTAMPTZ, JSONB bodies.

CREATE TABLE "calendars" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "body" JSONB NOT NULL,
    CONSTRAINT "calendars_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "sla_policies" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "position" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "sla_policies_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "tickets" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "assignee_id" BIGINT,
    "group_name" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "priority" TEXT COLLATE "C",
    "created_at" TIMESTAMPTZ,
    "sla_next_check_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "tickets_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "tickets_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "tickets_customer_idx" ON "tickets" ("tenant_id", "customer_id");
CREATE INDEX "tickets_assignee_idx" ON "tickets" ("tenant_id", "assignee_id", "status");
CREATE INDEX "tickets_sla_next_check_idx" ON "tickets" ("tenant_id", "sla_next_check_at");
CREATE INDEX "tickets_created_idx" ON "tickets" ("tenant_id", "created_at");

CREATE TABLE "ticket_messages" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "ticket_id" BIGINT,
    "customer_id" BIGINT,
    "at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "ticket_messages_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "ticket_messages_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "ticket_messages_ticket_idx" ON "ticket_messages" ("tenant_id", "ticket_id", "at");
CREATE INDEX "ticket_messages_customer_idx" ON "ticket_messages" ("tenant_id", "customer_id");
