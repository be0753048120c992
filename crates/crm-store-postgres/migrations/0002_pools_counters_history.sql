-- Pools, the counters that guard claim limits, owner history and purchases; customer
-- columns for recycling clocks, locking and tiers (crm_core::store::schema).
-- Same conventions as 0001: quoted identifiers, TEXT COLLATE "C", TIMESTAMPTZ, JSONB bodies.

ALTER TABLE "customers" ADD COLUMN "locked" BOOLEAN;
ALTER TABLE "customers" ADD COLUMN "followup_clock_at" TIMESTAMPTZ;
ALTER TABLE "customers" ADD COLUMN "opportunity_clock_at" TIMESTAMPTZ;
ALTER TABLE "customers" ADD COLUMN "tier" TEXT COLLATE "C";
-- Recycle sweeps walk the clocks of one pool's owners.
CREATE INDEX "customers_owner_followup_clock_idx" ON "customers" ("tenant_id", "owner_id", "followup_clock_at");
CREATE INDEX "customers_owner_opportunity_clock_idx" ON "customers" ("tenant_id", "owner_id", "opportunity_clock_at");
CREATE INDEX "customers_owner_owned_since_idx" ON "customers" ("tenant_id", "owner_id", "owned_since");

CREATE TABLE "pools" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "is_default" BOOLEAN,
    "enabled" BOOLEAN,
    "body" JSONB NOT NULL,
    CONSTRAINT "pools_pkey" PRIMARY KEY ("tenant_id", "id")
);

-- One row per user (id = the user's id).
CREATE TABLE "held_counters" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "held" BIGINT,
    "held_dealt" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "held_counters_pkey" PRIMARY KEY ("tenant_id", "id")
);

CREATE TABLE "claim_counters" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "pool_id" BIGINT,
    "user_id" BIGINT,
    "day" TEXT COLLATE "C",
    "claims" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "claim_counters_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE UNIQUE INDEX "claim_counters_pool_user_day_key" ON "claim_counters" ("tenant_id", "pool_id", "user_id", "day");

CREATE TABLE "owner_history" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "owner_history_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "owner_history_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "owner_history_customer_idx" ON "owner_history" ("tenant_id", "customer_id", "at");

CREATE TABLE "purchases" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "purchases_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "purchases_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "purchases_customer_idx" ON "purchases" ("tenant_id", "customer_id", "at");
