-- Campaigns, their cost entries and members, and the touch log (营销活动, 触达, ADR 0032). Same
-- conventions as 0001: quoted names, TIMESTAMPTZ for instants, dates as ISO text under
-- COLLATE "C". A member is in a campaign once ("member_kind", "member_id"); a touch has one
-- of "customer_id" / "lead_id" / "contact_id" reached (a contact's touch also carries its
-- "customer_id"), and the host's reference is unique where given. The touch indexes serve
-- "touches of customer X (and its contacts) between t1 and t2", the same for leads and
-- contacts, and "touches of campaign C", each as one indexed read.

CREATE TABLE "campaigns" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "parent_id" BIGINT,
    "owner_id" BIGINT,
    "channel" TEXT COLLATE "C",
    "status" TEXT COLLATE "C",
    "start_on" TEXT COLLATE "C",
    "end_on" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "campaigns_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "campaigns_parent_idx" ON "campaigns" ("tenant_id", "parent_id", "id");
CREATE INDEX "campaigns_owner_idx" ON "campaigns" ("tenant_id", "owner_id", "id");

CREATE TABLE "campaign_costs" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "campaign_id" BIGINT,
    "spent_on" TEXT COLLATE "C",
    "currency" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "campaign_costs_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "campaign_costs_campaign_idx" ON "campaign_costs" ("tenant_id", "campaign_id", "id");

CREATE TABLE "campaign_members" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "campaign_id" BIGINT,
    "member_kind" TEXT COLLATE "C",
    "member_id" BIGINT,
    "customer_id" BIGINT,
    "lead_id" BIGINT,
    "contact_id" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "campaign_members_pkey" PRIMARY KEY ("tenant_id", "id"),
    CONSTRAINT "campaign_members_member_key" UNIQUE ("tenant_id", "campaign_id", "member_kind", "member_id")
);
CREATE INDEX "campaign_members_campaign_idx" ON "campaign_members" ("tenant_id", "campaign_id", "id");
CREATE INDEX "campaign_members_customer_idx" ON "campaign_members" ("tenant_id", "customer_id", "id");
CREATE INDEX "campaign_members_lead_idx" ON "campaign_members" ("tenant_id", "lead_id", "id");
CREATE INDEX "campaign_members_contact_idx" ON "campaign_members" ("tenant_id", "contact_id", "id");

CREATE TABLE "touches" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "campaign_id" BIGINT,
    "channel" TEXT COLLATE "C",
    "kind" TEXT COLLATE "C",
    "at" TIMESTAMPTZ,
    "customer_id" BIGINT,
    "lead_id" BIGINT,
    "contact_id" BIGINT,
    "host_ref" TEXT COLLATE "C",
    "body" JSONB NOT NULL,
    CONSTRAINT "touches_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE UNIQUE INDEX "touches_host_ref_key" ON "touches" ("tenant_id", "host_ref")
    WHERE "host_ref" IS NOT NULL;
CREATE INDEX "touches_campaign_idx" ON "touches" ("tenant_id", "campaign_id", "id");
CREATE INDEX "touches_customer_at_idx" ON "touches" ("tenant_id", "customer_id", "at", "id");
CREATE INDEX "touches_lead_at_idx" ON "touches" ("tenant_id", "lead_id", "at", "id");
CREATE INDEX "touches_contact_at_idx" ON "touches" ("tenant_id", "contact_id", "at", "id");
