-- Targets and credit records (销售目标, 业绩记录, ADR 0027). Same conventions as 0001: STRICT tables, Time as INTEGER
-- microseconds. One row per credited user and crediting event, never updated; `local_date`
-- is the tenant-local ISO day that decides the period (text order is day order). The unique
-- key holds one event from being credited twice.

CREATE TABLE credits (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    metric TEXT,
    user_id INTEGER,
    department_id INTEGER,
    local_date TEXT,
    source TEXT,
    source_id INTEGER,
    source_ref INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX credits_source_user_key ON credits (tenant_id, source, source_id, source_ref, user_id);
CREATE INDEX credits_user_date ON credits (tenant_id, user_id, local_date, id);
CREATE INDEX credits_department_date ON credits (tenant_id, department_id, local_date, id);
CREATE INDEX credits_metric_date ON credits (tenant_id, metric, local_date, id);

-- Sales targets (销售目标): one row per revision of a subject's target for a metric and fiscal
-- year; `user_id` is set for a user's target only (its scope column).
CREATE TABLE targets (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    subject_kind TEXT,
    subject_id INTEGER,
    user_id INTEGER,
    metric TEXT,
    fiscal_year INTEGER,
    revision INTEGER,
    status TEXT,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX targets_subject_revision_key ON targets (tenant_id, subject_kind, subject_id, metric, fiscal_year, revision);
CREATE INDEX targets_user ON targets (tenant_id, user_id, id);
CREATE INDEX targets_year ON targets (tenant_id, fiscal_year, id);
