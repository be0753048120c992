-- Field visits (外勤签到, ADR 0023). Same conventions as 0001: STRICT tables, Time as INTEGER
-- microseconds. Scoped by the visitor (owner_id); `at` is the check-in time, else the
-- planned start; `checked_in_at` serves the previous-check-in lookup and the report.

CREATE TABLE visits (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    customer_id INTEGER,
    owner_id INTEGER,
    status TEXT,
    at INTEGER,
    checked_in_at INTEGER,
    flagged INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX visits_owner ON visits (tenant_id, owner_id, id);
CREATE INDEX visits_customer ON visits (tenant_id, customer_id, id);
CREATE INDEX visits_at ON visits (tenant_id, at, id);
CREATE INDEX visits_owner_checked_in ON visits (tenant_id, owner_id, checked_in_at, id);
