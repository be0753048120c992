-- Segments (客户分群, ADR 0031). Same conventions as 0006: quoted names, TIMESTAMPTZ for
-- instants. A segment member row is one stint of a customer in a segment; "open_customer" is
-- the customer id while the stint is open ("left_at" NULL), so the partial key holds one open
-- stint per segment and customer. Overrides: one include or exclude per segment and customer.
-- Evaluation seeks a batch's stints and overrides by (segment, customer).

CREATE TABLE "segments" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "name" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "segments_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "segments_name_key" UNIQUE ("tenant_id", "name")
);

CREATE TABLE "segment_members" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "segment_id" BIGINT,
    "customer_id" BIGINT,
    "joined_at" TIMESTAMPTZ,
    "left_at" TIMESTAMPTZ,
    "open_customer" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "segment_members_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "segment_members_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE UNIQUE INDEX "segment_members_segment_id_open_customer_key" ON "segment_members" ("tenant_id", "segment_id", "open_customer")
    WHERE "segment_id" IS NOT NULL AND "open_customer" IS NOT NULL;
CREATE INDEX "segment_members_segment_customer_idx" ON "segment_members" ("tenant_id", "segment_id", "customer_id", "id");
CREATE INDEX "segment_members_customer_idx" ON "segment_members" ("tenant_id", "customer_id", "id");

CREATE TABLE "segment_overrides" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "segment_id" BIGINT,
    "customer_id" BIGINT,
    "mode" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "segment_overrides_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "segment_overrides_segment_customer_key" UNIQUE ("tenant_id", "segment_id", "customer_id"),
    CONSTRAINT "segment_overrides_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "segment_overrides_customer_idx" ON "segment_overrides" ("tenant_id", "customer_id");
