-- Equality lookups are read in id order (`… WHERE tenant_id = ? AND phone_norm = ?
-- ORDER BY id LIMIT n`). Without statistics SQLite preferred walking the primary key in id
-- order over every customer of the tenant to using an index that would then need a sort:
-- a duplicate check cost 0.65 s per lookup over 1,000,000 customers and a CSV import grew
-- quadratically. Each lookup index now ends in id, so it serves the filter and the order.
DROP INDEX users_supervisor;
CREATE INDEX users_supervisor ON users (tenant_id, supervisor_id, id);
DROP INDEX users_department;
CREATE INDEX users_department ON users (tenant_id, department_id, id);
DROP INDEX departments_parent;
CREATE INDEX departments_parent ON departments (tenant_id, parent_id, id);
DROP INDEX customers_name_norm;
CREATE INDEX customers_name_norm ON customers (tenant_id, name_norm, id);
DROP INDEX customers_phone_norm;
CREATE INDEX customers_phone_norm ON customers (tenant_id, phone_norm, id);
DROP INDEX team_members_user;
CREATE INDEX team_members_user ON team_members (tenant_id, user_id, id);
CREATE INDEX team_members_customer ON team_members (tenant_id, customer_id, id);
DROP INDEX contacts_customer;
CREATE INDEX contacts_customer ON contacts (tenant_id, customer_id, id);
DROP INDEX followups_customer;
CREATE INDEX followups_customer ON followups (tenant_id, customer_id, id);
DROP INDEX tickets_customer;
CREATE INDEX tickets_customer ON tickets (tenant_id, customer_id, id);
DROP INDEX ticket_messages_ticket;
CREATE INDEX ticket_messages_ticket ON ticket_messages (tenant_id, ticket_id, id);
DROP INDEX ticket_messages_customer;
CREATE INDEX ticket_messages_customer ON ticket_messages (tenant_id, customer_id, id);
DROP INDEX owner_history_customer;
CREATE INDEX owner_history_customer ON owner_history (tenant_id, customer_id, id);
DROP INDEX purchases_customer;
CREATE INDEX purchases_customer ON purchases (tenant_id, customer_id, id);
DROP INDEX opportunities_customer;
CREATE INDEX opportunities_customer ON opportunities (tenant_id, customer_id, id);
DROP INDEX contracts_customer;
CREATE INDEX contracts_customer ON contracts (tenant_id, customer_id, id);
