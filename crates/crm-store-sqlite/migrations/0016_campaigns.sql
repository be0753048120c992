-- Campaigns, their cost entries and members, and the touch log (营销活动, 触达, ADR 0032). Same
-- conventions as 0001: STRICT tables, Time as INTEGER microseconds, dates as ISO text. A
-- member is in a campaign once (member_kind, member_id); a touch has one of customer_id /
-- lead_id / contact_id reached (a contact's touch also carries its customer_id), and the
-- host's reference is unique where given. The touch indexes serve "touches of customer X
-- (and its contacts) between t1 and t2", the same for leads and contacts, and "touches of
-- campaign C", each as one indexed read.

CREATE TABLE campaigns (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    parent_id INTEGER,
    owner_id INTEGER,
    channel TEXT,
    status TEXT,
    start_on TEXT,
    end_on TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX campaigns_parent ON campaigns (tenant_id, parent_id, id);
CREATE INDEX campaigns_owner ON campaigns (tenant_id, owner_id, id);

CREATE TABLE campaign_costs (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    campaign_id INTEGER,
    spent_on TEXT,
    currency TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX campaign_costs_campaign ON campaign_costs (tenant_id, campaign_id, id);

CREATE TABLE campaign_members (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    campaign_id INTEGER,
    member_kind TEXT,
    member_id INTEGER,
    customer_id INTEGER,
    lead_id INTEGER,
    contact_id INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX campaign_members_member_key ON campaign_members (tenant_id, campaign_id, member_kind, member_id);
CREATE INDEX campaign_members_campaign ON campaign_members (tenant_id, campaign_id, id);
CREATE INDEX campaign_members_customer ON campaign_members (tenant_id, customer_id, id);
CREATE INDEX campaign_members_lead ON campaign_members (tenant_id, lead_id, id);
CREATE INDEX campaign_members_contact ON campaign_members (tenant_id, contact_id, id);

CREATE TABLE touches (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    campaign_id INTEGER,
    channel TEXT,
    kind TEXT,
    at INTEGER,
    customer_id INTEGER,
    lead_id INTEGER,
    contact_id INTEGER,
    host_ref TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX touches_host_ref_key ON touches (tenant_id, host_ref)
    WHERE host_ref IS NOT NULL;
CREATE INDEX touches_campaign ON touches (tenant_id, campaign_id, id);
CREATE INDEX touches_customer_at ON touches (tenant_id, customer_id, at, id);
CREATE INDEX touches_lead_at ON touches (tenant_id, lead_id, at, id);
CREATE INDEX touches_contact_at ON touches (tenant_id, contact_id, at, id);
