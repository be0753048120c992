-- Commission plans and statements (提成方案, 提成单, ADR 0029). Same conventions as 0006: quoted
-- names, TIMESTAMPTZ for instants, days as ISO text under COLLATE "C". A plan has one row per
-- revision, never updated; its keys hold one revision number and one effective month per plan
-- name. A statement is one user's commission under one plan for one fiscal period.

CREATE TABLE "commission_plans" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "name" TEXT COLLATE "C",
    "revision" BIGINT,
    "effective_from" TEXT COLLATE "C",
    "metric" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "commission_plans_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "commission_plans_name_revision_key" UNIQUE ("tenant_id", "name", "revision"),
    CONSTRAINT "commission_plans_name_effective_from_key" UNIQUE ("tenant_id", "name", "effective_from")
);

CREATE TABLE "commission_statements" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "user_id" BIGINT,
    "plan_name" TEXT COLLATE "C",
    "period_key" TEXT COLLATE "C",
    "period_start" TEXT COLLATE "C",
    "period_end" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "commission_statements_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "commission_statements_user_plan_period_key" UNIQUE ("tenant_id", "user_id", "plan_name", "period_key")
);
CREATE INDEX "commission_statements_user_idx" ON "commission_statements" ("tenant_id", "user_id", "id");
