-- Equality lookups are read in id order (`… WHERE tenant_id = $1 AND phone_norm = $2
-- ORDER BY id LIMIT n`): each lookup index now ends in id, so it serves the filter and the
-- order without a sort and the plan does not depend on statistics being fresh (same change
-- as the SQLite store's 0005).
CREATE INDEX "departments_parent_idx" ON "departments" ("tenant_id", "parent_id", "id");
DROP INDEX IF EXISTS "users_supervisor_idx";
CREATE INDEX "users_supervisor_idx" ON "users" ("tenant_id", "supervisor_id", "id");
DROP INDEX IF EXISTS "users_department_idx";
CREATE INDEX "users_department_idx" ON "users" ("tenant_id", "department_id", "id");
DROP INDEX IF EXISTS "customers_name_norm_idx";
CREATE INDEX "customers_name_norm_idx" ON "customers" ("tenant_id", "name_norm", "id");
DROP INDEX IF EXISTS "customers_phone_norm_idx";
CREATE INDEX "customers_phone_norm_idx" ON "customers" ("tenant_id", "phone_norm", "id");
DROP INDEX IF EXISTS "team_members_user_idx";
CREATE INDEX "team_members_user_idx" ON "team_members" ("tenant_id", "user_id", "id");
DROP INDEX IF EXISTS "team_members_customer_idx";
CREATE INDEX "team_members_customer_idx" ON "team_members" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "contacts_customer_idx";
CREATE INDEX "contacts_customer_idx" ON "contacts" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "followups_customer_idx";
CREATE INDEX "followups_customer_idx" ON "followups" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "owner_history_customer_idx";
CREATE INDEX "owner_history_customer_idx" ON "owner_history" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "purchases_customer_idx";
CREATE INDEX "purchases_customer_idx" ON "purchases" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "tickets_customer_idx";
CREATE INDEX "tickets_customer_idx" ON "tickets" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "ticket_messages_ticket_idx";
CREATE INDEX "ticket_messages_ticket_idx" ON "ticket_messages" ("tenant_id", "ticket_id", "id");
DROP INDEX IF EXISTS "ticket_messages_customer_idx";
CREATE INDEX "ticket_messages_customer_idx" ON "ticket_messages" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "opportunities_customer_idx";
CREATE INDEX "opportunities_customer_idx" ON "opportunities" ("tenant_id", "customer_id", "id");
DROP INDEX IF EXISTS "contracts_customer_idx";
CREATE INDEX "contracts_customer_idx" ON "contracts" ("tenant_id", "customer_id", "id");
