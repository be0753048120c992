-- Tags (标签, ADR 0030): tag definitions and the tags on customers. Same conventions as 0006:
-- quoted names, TIMESTAMPTZ for instants, BOOLEAN flags. A tag's name is unique in the tenant
-- (retired tags keep theirs); a customer has one row per tag, switched on and off.

CREATE TABLE "tags" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "name" TEXT COLLATE "C",
    "kind" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "tags_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "tags_name_key" UNIQUE ("tenant_id", "name")
);

CREATE TABLE "customer_tags" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "customer_id" BIGINT,
    "tag_id" BIGINT,
    "active" BOOLEAN,
    "body" JSONB NOT NULL,
    CONSTRAINT "customer_tags_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "customer_tags_tag_customer_key" UNIQUE ("tenant_id", "tag_id", "customer_id"),
    CONSTRAINT "customer_tags_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
-- A customer's tags, and the batch evaluation's rows of a batch of customers.
CREATE INDEX "customer_tags_customer_idx" ON "customer_tags" ("tenant_id", "customer_id", "id");
-- A tag's customers, a page at a time.
CREATE INDEX "customer_tags_tag_active_idx" ON "customer_tags" ("tenant_id", "tag_id", "active", "id");
