-- Initial schema of the PostgreSQL store: the logical schema of crm_core::store::schema.
-- Every record table has tenant_id, id, version, its indexed columns (in TableSpec order)
-- and the whole record as a JSONB body. Text columns use the "C" collation so comparisons
-- and substring tests are byte-wise, exactly like the in-memory reference store.
-- An applied migration is never edited: add a new file instead.

CREATE TABLE "tenants" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "body" JSONB NOT NULL,
    CONSTRAINT "tenants_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "users" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "department_id" BIGINT,
    "supervisor_id" BIGINT,
    "active" BOOLEAN,
    "body" JSONB NOT NULL,
    CONSTRAINT "users_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "users_supervisor_idx" ON "users" ("tenant_id", "supervisor_id");
CREATE INDEX "users_department_idx" ON "users" ("tenant_id", "department_id");

CREATE TABLE "departments" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "parent_id" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "departments_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "roles" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "name" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "roles_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "roles_name_key" UNIQUE ("tenant_id", "name")
);

CREATE TABLE "customers" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "owner_id" BIGINT,
    "pool_id" BIGINT,
    "name" TEXT COLLATE "C",
    "name_norm" TEXT COLLATE "C",
    "phone_norm" TEXT COLLATE "C",
    "external_ref" TEXT COLLATE "C",
    "level" TEXT COLLATE "C",
    "deal_status" TEXT COLLATE "C",
    "owned_since" TIMESTAMPTZ,
    "next_followup_at" TIMESTAMPTZ,
    "escalation_pending" BOOLEAN,
    "created_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "customers_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE UNIQUE INDEX "customers_external_ref_key" ON "customers" ("tenant_id", "external_ref")
    WHERE "external_ref" IS NOT NULL;
CREATE INDEX "customers_owner_idx" ON "customers" ("tenant_id", "owner_id");
CREATE INDEX "customers_pool_idx" ON "customers" ("tenant_id", "pool_id");
CREATE INDEX "customers_name_norm_idx" ON "customers" ("tenant_id", "name_norm");
CREATE INDEX "customers_phone_norm_idx" ON "customers" ("tenant_id", "phone_norm");
CREATE INDEX "customers_owned_since_idx" ON "customers" ("tenant_id", "owned_since");
CREATE INDEX "customers_next_followup_idx" ON "customers" ("tenant_id", "next_followup_at");

CREATE TABLE "team_members" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "user_id" BIGINT,
    "access" TEXT COLLATE "C",
    "cascade" BOOLEAN,
    "expires_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "team_members_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "team_members_customer_user_key" UNIQUE ("tenant_id", "customer_id", "user_id"),
    CONSTRAINT "team_members_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "team_members_customer_idx" ON "team_members" ("tenant_id", "customer_id");
CREATE INDEX "team_members_user_idx" ON "team_members" ("tenant_id", "user_id");

CREATE TABLE "contacts" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "name" TEXT COLLATE "C",
    "phone_norm" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "contacts_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "contacts_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "contacts_customer_idx" ON "contacts" ("tenant_id", "customer_id");

CREATE TABLE "followups" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "author_id" BIGINT,
    "at" TIMESTAMPTZ,
    "next_followup_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "followups_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "followups_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "followups_customer_idx" ON "followups" ("tenant_id", "customer_id");
CREATE INDEX "followups_author_next_idx" ON "followups" ("tenant_id", "author_id", "next_followup_at");

-- Id allocation: one counter per entity, shared by every tenant and every process.
CREATE TABLE "id_sequences" (
    "entity" TEXT NOT NULL,
    "next_id" BIGINT NOT NULL,
    CONSTRAINT "id_sequences_pkey" PRIMARY KEY ("entity")
);

-- Append-only audit log.
CREATE TABLE "audit_log" (
    "id" BIGSERIAL NOT NULL,
    "tenant_id" BIGINT NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "actor_id" BIGINT,
    "operation" TEXT NOT NULL,
    "entity" TEXT NOT NULL,
    "record_id" BIGINT NOT NULL,
    "changes" JSONB NOT NULL,
    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "audit_log_record_idx" ON "audit_log" ("tenant_id", "entity", "record_id", "id");
CREATE INDEX "audit_log_actor_idx" ON "audit_log" ("tenant_id", "actor_id", "id");

-- Outbox: events with a per-tenant sequence; event_seqs holds each tenant's last sequence
-- (its row lock orders concurrent writers of one tenant).
CREATE TABLE "events" (
    "tenant_id" BIGINT NOT NULL,
    "seq" BIGINT NOT NULL,
    "kind" TEXT NOT NULL,
    "at" TIMESTAMPTZ NOT NULL,
    "entity" TEXT NOT NULL,
    "record_id" BIGINT NOT NULL,
    "payload" JSONB NOT NULL,
    CONSTRAINT "events_pkey" PRIMARY KEY ("tenant_id", "seq")
);

CREATE TABLE "event_seqs" (
    "tenant_id" BIGINT NOT NULL,
    "last_seq" BIGINT NOT NULL,
    CONSTRAINT "event_seqs_pkey" PRIMARY KEY ("tenant_id")
);
