//! The logical schema: one [`TableSpec`] per entity, the single declaration of its table,
//! indexed columns, unique keys and scope shape. Both SQL adapters' migrations create
//! exactly these tables, columns (plus `tenant_id`, `id`, `version`, `body`) and unique
//! indexes, and each adapter has a test comparing its migrated schema with these
//! declarations; the memory store enforces the same unique keys; the conformance suite
//! checks every column round-trips and filters alike.

use super::row::{ColumnSpec, ColumnType, Entity, ScopeVia, TableSpec, UniqueKey};

const fn col(name: &'static str, ty: ColumnType) -> ColumnSpec {
    ColumnSpec { name, ty }
}

/// A unique key over `(tenant_id, columns…)`.
const fn key(columns: &'static [&'static str]) -> UniqueKey {
    UniqueKey {
        columns,
        partial: false,
    }
}

/// A unique key over `(tenant_id, columns…)` built only over rows where they are set.
const fn partial_key(columns: &'static [&'static str]) -> UniqueKey {
    UniqueKey {
        columns,
        partial: true,
    }
}

use ColumnType::{Bool, Int, Text, Time};

static TENANTS: TableSpec = TableSpec {
    entity: Entity::Tenant,
    table: "tenants",
    record_name: "tenant",
    columns: &[],
    unique: &[],
    scope: ScopeVia::None,
};

static USERS: TableSpec = TableSpec {
    entity: Entity::User,
    table: "users",
    record_name: "user",
    columns: &[
        col("department_id", Int),
        col("supervisor_id", Int),
        col("active", Bool),
    ],
    unique: &[],
    scope: ScopeVia::None,
};

static DEPARTMENTS: TableSpec = TableSpec {
    entity: Entity::Department,
    table: "departments",
    record_name: "department",
    columns: &[col("parent_id", Int)],
    unique: &[],
    scope: ScopeVia::None,
};

static ROLES: TableSpec = TableSpec {
    entity: Entity::Role,
    table: "roles",
    record_name: "role",
    columns: &[col("name", Text)],
    unique: &[key(&["name"])],
    scope: ScopeVia::None,
};

static TEAM_MEMBERS: TableSpec = TableSpec {
    entity: Entity::TeamMember,
    table: "team_members",
    record_name: "team_member",
    // (tenant_id, customer_id) references customers
    columns: &[
        col("customer_id", Int),
        col("user_id", Int),
        col("access", Text),
        col("cascade", Bool),
        col("expires_at", Time),
    ],
    unique: &[key(&["customer_id", "user_id"])],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static CUSTOMERS: TableSpec = TableSpec {
    entity: Entity::Customer,
    table: "customers",
    record_name: "customer",
    columns: &[
        col("owner_id", Int),
        col("pool_id", Int),
        col("name", Text),
        col("name_norm", Text),
        col("phone_norm", Text),
        col("external_ref", Text),
        col("level", Text),
        col("deal_status", Text),
        col("owned_since", Time),
        col("next_followup_at", Time),
        col("escalation_pending", Bool),
        col("created_at", Time),
        col("locked", Bool),
        col("followup_clock_at", Time),
        col("opportunity_clock_at", Time),
        col("tier", Text),
    ],
    unique: &[partial_key(&["external_ref"])],
    scope: ScopeVia::Customer {
        owner_col: "owner_id",
        pool_col: "pool_id",
    },
};

static CONTACTS: TableSpec = TableSpec {
    entity: Entity::Contact,
    table: "contacts",
    record_name: "contact",
    // (tenant_id, customer_id) references customers
    columns: &[
        col("customer_id", Int),
        col("name", Text),
        col("phone_norm", Text),
    ],
    unique: &[],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static FOLLOWUPS: TableSpec = TableSpec {
    entity: Entity::FollowUp,
    table: "followups",
    record_name: "followup",
    // (tenant_id, customer_id) references customers. A follow-up recorded on a lead has
    // lead_id and no customer until conversion sets it (ADR 0019); no row has neither.
    columns: &[
        col("customer_id", Int),
        col("author_id", Int),
        col("at", Time),
        col("next_followup_at", Time),
        col("lead_id", Int),
    ],
    unique: &[],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static POOLS: TableSpec = TableSpec {
    entity: Entity::Pool,
    table: "pools",
    record_name: "pool",
    columns: &[col("is_default", Bool), col("enabled", Bool)],
    unique: &[],
    scope: ScopeVia::None,
};

static HELD_COUNTERS: TableSpec = TableSpec {
    entity: Entity::HeldCounter,
    table: "held_counters",
    record_name: "held_counter",
    // id is the user's id
    columns: &[col("held", Int), col("held_dealt", Int)],
    unique: &[],
    scope: ScopeVia::None,
};

static CLAIM_COUNTERS: TableSpec = TableSpec {
    entity: Entity::ClaimCounter,
    table: "claim_counters",
    record_name: "claim_counter",
    columns: &[
        col("pool_id", Int),
        col("user_id", Int),
        col("day", Text),
        col("claims", Int),
    ],
    unique: &[key(&["pool_id", "user_id", "day"])],
    scope: ScopeVia::None,
};

static OWNER_HISTORY: TableSpec = TableSpec {
    entity: Entity::OwnerHistory,
    table: "owner_history",
    record_name: "owner_history",
    // (tenant_id, customer_id) references customers
    columns: &[col("customer_id", Int), col("at", Time)],
    unique: &[],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static PURCHASES: TableSpec = TableSpec {
    entity: Entity::Purchase,
    table: "purchases",
    record_name: "purchase",
    // (tenant_id, customer_id) references customers
    columns: &[col("customer_id", Int), col("at", Time)],
    unique: &[],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static CALENDARS: TableSpec = TableSpec {
    entity: Entity::BusinessCalendar,
    table: "calendars",
    record_name: "calendar",
    columns: &[],
    unique: &[],
    scope: ScopeVia::None,
};

static SLA_POLICIES: TableSpec = TableSpec {
    entity: Entity::SlaPolicy,
    table: "sla_policies",
    record_name: "sla_policy",
    columns: &[col("position", Int)],
    unique: &[],
    scope: ScopeVia::None,
};

static TICKETS: TableSpec = TableSpec {
    entity: Entity::Ticket,
    table: "tickets",
    record_name: "ticket",
    // (tenant_id, customer_id) references customers
    columns: &[
        col("customer_id", Int),
        col("assignee_id", Int),
        col("group_name", Text),
        col("status", Text),
        col("priority", Text),
        col("created_at", Time),
        col("sla_next_check_at", Time),
    ],
    unique: &[],
    scope: ScopeVia::OwnedChildOfCustomer {
        owner_col: "assignee_id",
        customer_col: "customer_id",
    },
};

static TICKET_MESSAGES: TableSpec = TableSpec {
    entity: Entity::TicketMessage,
    table: "ticket_messages",
    record_name: "ticket_message",
    // (tenant_id, customer_id) references customers
    columns: &[
        col("ticket_id", Int),
        col("customer_id", Int),
        col("at", Time),
    ],
    unique: &[],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static OPPORTUNITIES: TableSpec = TableSpec {
    entity: Entity::Opportunity,
    table: "opportunities",
    record_name: "opportunity",
    // (tenant_id, customer_id) references customers
    columns: &[
        col("customer_id", Int),
        col("owner_id", Int),
        col("status", Text),
        col("expected_close", Text),
        col("created_at", Time),
    ],
    unique: &[],
    scope: ScopeVia::OwnedChildOfCustomer {
        owner_col: "owner_id",
        customer_col: "customer_id",
    },
};

static LEADS: TableSpec = TableSpec {
    entity: Entity::Lead,
    table: "leads",
    record_name: "lead",
    columns: &[
        col("owner_id", Int),
        col("pool_id", Int),
        col("status", Text),
        col("phone", Text),
        col("email", Text),
        col("company_norm", Text),
        col("created_at", Time),
        col("first_contact_check_at", Time),
    ],
    unique: &[],
    scope: ScopeVia::Owned {
        owner_col: "owner_id",
    },
};

static CONTRACTS: TableSpec = TableSpec {
    entity: Entity::Contract,
    table: "contracts",
    record_name: "contract",
    // (tenant_id, customer_id) references customers
    columns: &[
        col("customer_id", Int),
        col("owner_id", Int),
        col("number", Text),
        col("status", Text),
        col("next_check_on", Text),
    ],
    unique: &[key(&["number"])],
    scope: ScopeVia::OwnedChildOfCustomer {
        owner_col: "owner_id",
        customer_col: "customer_id",
    },
};

static ASSIGNMENT_RULES: TableSpec = TableSpec {
    entity: Entity::AssignmentRules,
    table: "assignment_rules",
    record_name: "assignment_rules",
    // one row per tenant, id 1
    columns: &[],
    unique: &[],
    scope: ScopeVia::None,
};

static ASSIGNMENT_CURSORS: TableSpec = TableSpec {
    entity: Entity::AssignmentCursor,
    table: "assignment_cursors",
    record_name: "assignment_cursor",
    columns: &[col("entry", Text)],
    unique: &[key(&["entry"])],
    scope: ScopeVia::None,
};

static ASSIGNMENT_MEMBERS: TableSpec = TableSpec {
    entity: Entity::AssignmentMember,
    table: "assignment_members",
    record_name: "assignment_member",
    // id is the user's id
    columns: &[],
    unique: &[],
    scope: ScopeVia::None,
};

static LEAD_LOADS: TableSpec = TableSpec {
    entity: Entity::LeadLoad,
    table: "lead_loads",
    record_name: "lead_load",
    // id is the user's id
    columns: &[col("open_leads", Int)],
    unique: &[],
    scope: ScopeVia::None,
};

static LEAD_ASSIGNMENTS: TableSpec = TableSpec {
    entity: Entity::LeadAssignment,
    table: "lead_assignments",
    record_name: "lead_assignment",
    // read through the lead it belongs to
    columns: &[col("lead_id", Int), col("at", Time)],
    unique: &[],
    scope: ScopeVia::None,
};

static TASKS: TableSpec = TableSpec {
    entity: Entity::Task,
    table: "tasks",
    record_name: "task",
    // collaborators: `,12,13,` (found with `contains`); template_key: set while open only
    columns: &[
        col("owner_id", Int),
        col("status", Text),
        col("due_at", Time),
        col("priority", Int),
        col("next_reminder_at", Time),
        col("collaborators", Text),
        col("lead_id", Int),
        col("customer_id", Int),
        col("contact_id", Int),
        col("opportunity_id", Int),
        col("contract_id", Int),
        col("ticket_id", Int),
        col("template_key", Text),
        col("completed_at", Time),
        col("created_at", Time),
    ],
    unique: &[partial_key(&["template_key"])],
    scope: ScopeVia::Owned {
        owner_col: "owner_id",
    },
};

static TASK_TEMPLATES: TableSpec = TableSpec {
    entity: Entity::TaskTemplates,
    table: "task_templates",
    record_name: "task_templates",
    // one row per tenant, id 1
    columns: &[],
    unique: &[],
    scope: ScopeVia::None,
};

static CALENDAR_EVENTS: TableSpec = TableSpec {
    entity: Entity::CalendarEvent,
    table: "calendar_events",
    record_name: "calendar_event",
    // span_start/span_end bound the instants its occurrences reach (span_end NULL: no end)
    columns: &[
        col("owner_id", Int),
        col("span_start", Time),
        col("span_end", Time),
    ],
    unique: &[],
    scope: ScopeVia::Owned {
        owner_col: "owner_id",
    },
};

static CALENDAR_ATTENDEES: TableSpec = TableSpec {
    entity: Entity::CalendarAttendee,
    table: "calendar_attendees",
    record_name: "calendar_attendee",
    // read through the event it belongs to, or by user for "events I attend"
    columns: &[col("event_id", Int), col("user_id", Int)],
    unique: &[key(&["event_id", "user_id"])],
    scope: ScopeVia::None,
};

static VISITS: TableSpec = TableSpec {
    entity: Entity::Visit,
    table: "visits",
    record_name: "visit",
    // scoped by the visitor (owner_id) alone; customer_id is checked by the service
    columns: &[
        col("customer_id", Int),
        col("owner_id", Int),
        col("status", Text),
        col("at", Time),
        col("checked_in_at", Time),
        col("flagged", Bool),
    ],
    unique: &[],
    scope: ScopeVia::Owned {
        owner_col: "owner_id",
    },
};

static CREDITS: TableSpec = TableSpec {
    entity: Entity::Credit,
    table: "credits",
    record_name: "credit",
    // scoped by the credited user; one record per user and event (the key makes writing a
    // credit twice for one event impossible)
    columns: &[
        col("metric", Text),
        col("user_id", Int),
        col("department_id", Int),
        col("local_date", Text),
        col("source", Text),
        col("source_id", Int),
        col("source_ref", Int),
    ],
    unique: &[key(&["source", "source_id", "source_ref", "user_id"])],
    scope: ScopeVia::Owned {
        owner_col: "user_id",
    },
};

static TARGETS: TableSpec = TableSpec {
    entity: Entity::Target,
    table: "targets",
    record_name: "target",
    // a user's target is scoped by its user (user_id); department and tenant targets have no
    // user and are checked by the service. One row per revision of a subject's metric and year.
    columns: &[
        col("subject_kind", Text),
        col("subject_id", Int),
        col("user_id", Int),
        col("metric", Text),
        col("fiscal_year", Int),
        col("revision", Int),
        col("status", Text),
    ],
    unique: &[key(&[
        "subject_kind",
        "subject_id",
        "metric",
        "fiscal_year",
        "revision",
    ])],
    scope: ScopeVia::Owned {
        owner_col: "user_id",
    },
};

static COMMISSION_PLANS: TableSpec = TableSpec {
    entity: Entity::CommissionPlan,
    table: "commission_plans",
    record_name: "commission_plan",
    // settings-like: the service checks the action; one row per revision, and one revision
    // per plan and effective month
    columns: &[
        col("name", Text),
        col("revision", Int),
        col("effective_from", Text),
        col("metric", Text),
        col("status", Text),
    ],
    unique: &[key(&["name", "revision"]), key(&["name", "effective_from"])],
    scope: ScopeVia::None,
};

static COMMISSION_STATEMENTS: TableSpec = TableSpec {
    entity: Entity::CommissionStatement,
    table: "commission_statements",
    record_name: "commission_statement",
    // scoped by the user paid; one statement per user, plan and fiscal period
    columns: &[
        col("user_id", Int),
        col("plan_name", Text),
        col("period_key", Text),
        col("period_start", Text),
        col("period_end", Text),
        col("status", Text),
    ],
    unique: &[key(&["user_id", "plan_name", "period_key"])],
    scope: ScopeVia::Owned {
        owner_col: "user_id",
    },
};

static CAMPAIGNS: TableSpec = TableSpec {
    entity: Entity::Campaign,
    table: "campaigns",
    record_name: "campaign",
    // scoped by the campaign's owner (Marketing); parent_id builds the hierarchy
    columns: &[
        col("parent_id", Int),
        col("owner_id", Int),
        col("channel", Text),
        col("status", Text),
        col("start_on", Text),
        col("end_on", Text),
    ],
    unique: &[],
    scope: ScopeVia::Owned {
        owner_col: "owner_id",
    },
};

static CAMPAIGN_COSTS: TableSpec = TableSpec {
    entity: Entity::CampaignCost,
    table: "campaign_costs",
    record_name: "campaign_cost",
    // read through the campaign it belongs to
    columns: &[
        col("campaign_id", Int),
        col("spent_on", Text),
        col("currency", Text),
    ],
    unique: &[],
    scope: ScopeVia::None,
};

static CAMPAIGN_MEMBERS: TableSpec = TableSpec {
    entity: Entity::CampaignMember,
    table: "campaign_members",
    record_name: "campaign_member",
    // a customer, lead or contact (with its customer) in a campaign, once; the service
    // scopes reads by the member's own record (customers, leads, contacts)
    columns: &[
        col("campaign_id", Int),
        col("member_kind", Text),
        col("member_id", Int),
        col("customer_id", Int),
        col("lead_id", Int),
        col("contact_id", Int),
    ],
    unique: &[key(&["campaign_id", "member_kind", "member_id"])],
    scope: ScopeVia::None,
};

static TOUCHES: TableSpec = TableSpec {
    entity: Entity::Touch,
    table: "touches",
    record_name: "touch",
    // one of customer_id / lead_id / contact_id reached (a contact's touch also has its
    // customer_id); host_ref makes recording idempotent; the service scopes reads by the
    // record reached
    columns: &[
        col("campaign_id", Int),
        col("channel", Text),
        col("kind", Text),
        col("at", Time),
        col("customer_id", Int),
        col("lead_id", Int),
        col("contact_id", Int),
        col("host_ref", Text),
    ],
    unique: &[partial_key(&["host_ref"])],
    scope: ScopeVia::None,
};

static ATTRIBUTIONS: TableSpec = TableSpec {
    entity: Entity::Attribution,
    table: "attributions",
    record_name: "attribution",
    // hangs off the deal's customer; one row per deal and model
    columns: &[
        col("deal_kind", Text),
        col("deal_id", Int),
        col("customer_id", Int),
        col("model_key", Text),
        col("closed_at", Time),
    ],
    unique: &[key(&["deal_kind", "deal_id", "model_key"])],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static TAGS: TableSpec = TableSpec {
    entity: Entity::Tag,
    table: "tags",
    record_name: "tag",
    // settings-like: the service checks the action; one name per tenant (retired ones too)
    columns: &[col("name", Text), col("kind", Text), col("status", Text)],
    unique: &[key(&["name"])],
    scope: ScopeVia::None,
};

static CUSTOMER_TAGS: TableSpec = TableSpec {
    entity: Entity::CustomerTag,
    table: "customer_tags",
    record_name: "customer_tag",
    // (tenant_id, customer_id) references customers; one row per tag and customer
    columns: &[
        col("customer_id", Int),
        col("tag_id", Int),
        col("active", Bool),
    ],
    unique: &[key(&["tag_id", "customer_id"])],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static SEGMENTS: TableSpec = TableSpec {
    entity: Entity::Segment,
    table: "segments",
    record_name: "segment",
    // definitions: the service checks the action (module marketing); names are unique
    columns: &[col("name", Text), col("status", Text)],
    unique: &[key(&["name"])],
    scope: ScopeVia::None,
};

static SEGMENT_MEMBERS: TableSpec = TableSpec {
    entity: Entity::SegmentMember,
    table: "segment_members",
    record_name: "segment_member",
    // (tenant_id, customer_id) references customers. One row per stint; open_customer is the
    // customer while the stint is open (left_at NULL), so the key holds one open stint per
    // segment and customer. Reads are scoped by the customer.
    columns: &[
        col("segment_id", Int),
        col("customer_id", Int),
        col("joined_at", Time),
        col("left_at", Time),
        col("open_customer", Int),
    ],
    unique: &[partial_key(&["segment_id", "open_customer"])],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

static SEGMENT_OVERRIDES: TableSpec = TableSpec {
    entity: Entity::SegmentOverride,
    table: "segment_overrides",
    record_name: "segment_override",
    // (tenant_id, customer_id) references customers; one override per segment and customer
    columns: &[
        col("segment_id", Int),
        col("customer_id", Int),
        col("mode", Text),
    ],
    unique: &[key(&["segment_id", "customer_id"])],
    scope: ScopeVia::ChildOfCustomer {
        customer_col: "customer_id",
    },
};

/// The table description of an entity.
pub fn spec(entity: Entity) -> &'static TableSpec {
    match entity {
        Entity::Tenant => &TENANTS,
        Entity::User => &USERS,
        Entity::Department => &DEPARTMENTS,
        Entity::Role => &ROLES,
        Entity::TeamMember => &TEAM_MEMBERS,
        Entity::Customer => &CUSTOMERS,
        Entity::Contact => &CONTACTS,
        Entity::FollowUp => &FOLLOWUPS,
        Entity::Pool => &POOLS,
        Entity::HeldCounter => &HELD_COUNTERS,
        Entity::ClaimCounter => &CLAIM_COUNTERS,
        Entity::OwnerHistory => &OWNER_HISTORY,
        Entity::Purchase => &PURCHASES,
        Entity::BusinessCalendar => &CALENDARS,
        Entity::SlaPolicy => &SLA_POLICIES,
        Entity::Ticket => &TICKETS,
        Entity::TicketMessage => &TICKET_MESSAGES,
        Entity::Opportunity => &OPPORTUNITIES,
        Entity::Contract => &CONTRACTS,
        Entity::Lead => &LEADS,
        Entity::AssignmentRules => &ASSIGNMENT_RULES,
        Entity::AssignmentCursor => &ASSIGNMENT_CURSORS,
        Entity::AssignmentMember => &ASSIGNMENT_MEMBERS,
        Entity::LeadLoad => &LEAD_LOADS,
        Entity::LeadAssignment => &LEAD_ASSIGNMENTS,
        Entity::Task => &TASKS,
        Entity::TaskTemplates => &TASK_TEMPLATES,
        Entity::CalendarEvent => &CALENDAR_EVENTS,
        Entity::CalendarAttendee => &CALENDAR_ATTENDEES,
        Entity::Visit => &VISITS,
        Entity::Credit => &CREDITS,
        Entity::Target => &TARGETS,
        Entity::CommissionPlan => &COMMISSION_PLANS,
        Entity::CommissionStatement => &COMMISSION_STATEMENTS,
        Entity::Campaign => &CAMPAIGNS,
        Entity::CampaignCost => &CAMPAIGN_COSTS,
        Entity::CampaignMember => &CAMPAIGN_MEMBERS,
        Entity::Touch => &TOUCHES,
        Entity::Attribution => &ATTRIBUTIONS,
        Entity::Tag => &TAGS,
        Entity::CustomerTag => &CUSTOMER_TAGS,
        Entity::Segment => &SEGMENTS,
        Entity::SegmentMember => &SEGMENT_MEMBERS,
        Entity::SegmentOverride => &SEGMENT_OVERRIDES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entity_indexes_are_dense_and_distinct() {
        let mut seen: Vec<usize> = Entity::ALL.iter().map(|e| e.index()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..Entity::ALL.len()).collect::<Vec<_>>());
    }

    #[test]
    fn unique_keys_name_columns_of_their_table() {
        for entity in Entity::ALL {
            let spec = spec(entity);
            assert_eq!(spec.entity, entity);
            for key in spec.unique {
                assert!(!key.columns.is_empty(), "{}", spec.table);
                for column in key.columns {
                    assert!(
                        spec.column_index(column).is_ok(),
                        "{}.{column} in a unique key",
                        spec.table
                    );
                }
            }
        }
    }
}
