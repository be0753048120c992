-- Follow-ups on leads and the first-contact clock of leads (ADR 0019). Same conventions as
-- 0006: STRICT tables, Time as INTEGER microseconds.

-- A follow-up recorded on a lead carries lead_id and no customer_id; conversion later sets
-- customer_id on the same row, which keeps lead_id. Lead follow-ups are read by lead.
ALTER TABLE followups ADD COLUMN lead_id INTEGER;
CREATE INDEX followups_lead ON followups (tenant_id, lead_id, id);

-- The next instant scheduled work has something to do for a lead's first-contact clock
-- (NULL: nothing left); the sweep reads only the leads due by this index.
ALTER TABLE leads ADD COLUMN first_contact_check_at INTEGER;
CREATE INDEX leads_first_contact_check ON leads (tenant_id, first_contact_check_at, id);
