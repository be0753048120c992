-- Opportunities and contracts (with their receivable plans in the body).
-- Same conventions as 0001; dates as TEXT YYYY-MM-DD (COLLATE "C") so they compare in order.

CREATE TABLE "opportunities" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "owner_id" BIGINT,
    "status" TEXT COLLATE "C",
    "expected_close" TEXT COLLATE "C",
    "created_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "opportunities_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "opportunities_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "opportunities_customer_idx" ON "opportunities" ("tenant_id", "customer_id");
CREATE INDEX "opportunities_owner_idx" ON "opportunities" ("tenant_id", "owner_id", "id");

CREATE TABLE "contracts" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "owner_id" BIGINT,
    "number" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "next_check_on" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "contracts_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "contracts_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE UNIQUE INDEX "contracts_number_key" ON "contracts" ("tenant_id", "number");
CREATE INDEX "contracts_customer_idx" ON "contracts" ("tenant_id", "customer_id");
CREATE INDEX "contracts_owner_idx" ON "contracts" ("tenant_id", "owner_id", "id");
CREATE INDEX "contracts_next_check_idx" ON "contracts" ("tenant_id", "next_check_on");
