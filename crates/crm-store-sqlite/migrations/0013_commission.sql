-- Commission plans and statements (提成方案, 提成单, ADR 0029). Same conventions as 0001: STRICT
-- tables, Time as INTEGER microseconds, days as ISO text. A plan has one row per revision,
-- never updated; its keys hold one revision number and one effective month per plan name.
-- A statement is one user's commission under one plan for one fiscal period.

CREATE TABLE commission_plans (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    name TEXT,
    revision INTEGER,
    effective_from TEXT,
    metric TEXT,
    status TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX commission_plans_name_revision_key ON commission_plans (tenant_id, name, revision);
CREATE UNIQUE INDEX commission_plans_name_effective_from_key ON commission_plans (tenant_id, name, effective_from);

CREATE TABLE commission_statements (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    user_id INTEGER,
    plan_name TEXT,
    period_key TEXT,
    period_start TEXT,
    period_end TEXT,
    status TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX commission_statements_user_plan_period_key ON commission_statements (tenant_id, user_id, plan_name, period_key);
CREATE INDEX commission_statements_user ON commission_statements (tenant_id, user_id, id);
