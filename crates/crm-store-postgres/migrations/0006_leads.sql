-- Leads (线索). Same conventions as 0001. `phone`, `email` and `company_norm` hold the
-- duplicate-check keys (phone key, lower-cased e-mail, normalized company name), not the
-- values as entered (those are in body).

CREATE TABLE "leads" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "owner_id" BIGINT,
    "pool_id" BIGINT,
    "status" TEXT COLLATE "C",
    "phone" TEXT COLLATE "C",
    "email" TEXT COLLATE "C",
    "company_norm" TEXT COLLATE "C",
    "created_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "leads_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "leads_owner_idx" ON "leads" ("tenant_id", "owner_id", "id");
CREATE INDEX "leads_pool_idx" ON "leads" ("tenant_id", "pool_id", "id");
CREATE INDEX "leads_phone_idx" ON "leads" ("tenant_id", "phone", "id");
CREATE INDEX "leads_email_idx" ON "leads" ("tenant_id", "email", "id");
CREATE INDEX "leads_company_norm_idx" ON "leads" ("tenant_id", "company_norm", "id");
