-- Field visits (外勤签到, ADR 0023). Same conventions as 0006: quoted names, TIMESTAMPTZ for
-- instants. Scoped by the visitor (owner_id); `at` is the check-in time, else the planned
-- start; `checked_in_at` serves the previous-check-in lookup and the report.

CREATE TABLE "visits" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "owner_id" BIGINT,
    "status" TEXT COLLATE "C",
    "at" TIMESTAMPTZ,
    "checked_in_at" TIMESTAMPTZ,
    "flagged" BOOLEAN,
    "body" JSONB NOT NULL,
    CONSTRAINT "visits_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "visits_owner_idx" ON "visits" ("tenant_id", "owner_id", "id");
CREATE INDEX "visits_customer_idx" ON "visits" ("tenant_id", "customer_id", "id");
CREATE INDEX "visits_at_idx" ON "visits" ("tenant_id", "at", "id");
CREATE INDEX "visits_owner_checked_in_idx" ON "visits" ("tenant_id", "owner_id", "checked_in_at", "id");
