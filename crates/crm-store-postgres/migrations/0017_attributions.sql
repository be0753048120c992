-- Attributions of won deals to campaign touches (归因, ADR 0033). Same conventions as 0006: quoted
-- names, TIMESTAMPTZ for instants. One row per deal and model; the row hangs off the deal's
-- customer for scope.

CREATE TABLE "attributions" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "deal_kind" TEXT COLLATE "C",
    "deal_id" BIGINT,
    "customer_id" BIGINT,
    "model_key" TEXT COLLATE "C",
    "closed_at" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "attributions_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "attributions_deal_model_key" UNIQUE ("tenant_id", "deal_kind", "deal_id", "model_key"),
    CONSTRAINT "attributions_customer_fkey" FOREIGN KEY ("tenant_id", "customer_id")
        REFERENCES "customers" ("tenant_id", "id")
);
CREATE INDEX "attributions_customer_idx" ON "attributions" ("tenant_id", "customer_id", "id");
CREATE INDEX "attributions_model_closed_idx" ON "attributions" ("tenant_id", "model_key", "closed_at");
