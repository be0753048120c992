-- Targets and credit records (销售目标, 业绩记录, ADR 0027). Same conventions as 0006: quoted names, TIMESTAMPTZ for
-- instants. One row per credited user and crediting event, never updated; `local_date` is the
-- tenant-local ISO day that decides the period (text order is day order under COLLATE "C").
-- The unique key holds one event from being credited twice.

CREATE TABLE "credits" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "metric" TEXT COLLATE "C",
    "user_id" BIGINT,
    "department_id" BIGINT,
    "local_date" TEXT COLLATE "C",
    "source" TEXT COLLATE "C",
    "source_id" BIGINT,
    "source_ref" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "credits_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "credits_source_user_key" UNIQUE ("tenant_id", "source", "source_id", "source_ref", "user_id")
);
CREATE INDEX "credits_user_date_idx" ON "credits" ("tenant_id", "user_id", "local_date", "id");
CREATE INDEX "credits_department_date_idx" ON "credits" ("tenant_id", "department_id", "local_date", "id");
CREATE INDEX "credits_metric_date_idx" ON "credits" ("tenant_id", "metric", "local_date", "id");

-- Sales targets (销售目标): one row per revision of a subject's target for a metric and fiscal
-- year; "user_id" is set for a user's target only (its scope column).
CREATE TABLE "targets" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "subject_kind" TEXT COLLATE "C",
    "subject_id" BIGINT,
    "user_id" BIGINT,
    "metric" TEXT COLLATE "C",
    "fiscal_year" BIGINT,
    "revision" BIGINT,
    "status" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "targets_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "targets_subject_revision_key" UNIQUE ("tenant_id", "subject_kind", "subject_id", "metric", "fiscal_year", "revision")
);
CREATE INDEX "targets_user_idx" ON "targets" ("tenant_id", "user_id", "id");
CREATE INDEX "targets_year_idx" ON "targets" ("tenant_id", "fiscal_year", "id");
