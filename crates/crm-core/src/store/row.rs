//! The storage shape of a record: a few typed, indexed columns that queries filter on, plus
//! the whole record as a JSON body (see `docs/adr/0001-unit-of-work.md`).

use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use chrono::{DateTime, Utc};
use serde::{de::DeserializeOwned, Serialize};

/// Every kind of record the stores persist. Each has one table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Entity {
    /// Tenant settings (`tenants`).
    Tenant,
    /// Synced users (`users`).
    User,
    /// Synced departments (`departments`).
    Department,
    /// Roles (`roles`).
    Role,
    /// Team members sharing a customer (`team_members`).
    TeamMember,
    /// Customers (`customers`).
    Customer,
    /// Contacts (`contacts`).
    Contact,
    /// Follow-ups (`followups`).
    FollowUp,
    /// Customer pools (`pools`).
    Pool,
    /// Held-customer counters per user (`held_counters`).
    HeldCounter,
    /// Daily claim counters per pool, user and day (`claim_counters`).
    ClaimCounter,
    /// Owner history of customers (`owner_history`).
    OwnerHistory,
    /// Purchases (orders, payments) feeding tiers (`purchases`).
    Purchase,
    /// Business calendars (`calendars`).
    BusinessCalendar,
    /// SLA policies (`sla_policies`).
    SlaPolicy,
    /// Tickets (`tickets`).
    Ticket,
    /// Ticket messages (`ticket_messages`).
    TicketMessage,
    /// Opportunities (`opportunities`).
    Opportunity,
    /// Contracts with their receivables (`contracts`).
    Contract,
    /// Leads (线索).
    Lead,
    /// The tenant's lead assignment rules (`assignment_rules`, one row).
    AssignmentRules,
    /// Per-entry assignment state, by entry name (`assignment_cursors`).
    AssignmentCursor,
    /// Members' assignment settings, by user (`assignment_members`).
    AssignmentMember,
    /// Members' lead counts, by user (`lead_loads`).
    LeadLoad,
    /// Assignment records with their explanations (`lead_assignments`).
    LeadAssignment,
    /// Tasks (`tasks`).
    Task,
    /// The tenant's stage templates of tasks (`task_templates`, one row).
    TaskTemplates,
    /// Calendar events (`calendar_events`).
    CalendarEvent,
    /// Attendees of calendar events, one row per event and user (`calendar_attendees`).
    CalendarAttendee,
    /// Field visits (`visits`).
    Visit,
    /// Credit records (`credits`), written by the events that earn a metric.
    Credit,
    /// Sales targets (`targets`), one row per revision.
    Target,
    /// Commission plans (`commission_plans`), one row per revision.
    CommissionPlan,
    /// Commission statements (`commission_statements`).
    CommissionStatement,
    /// Marketing campaigns (`campaigns`).
    Campaign,
    /// Actual cost entries of campaigns (`campaign_costs`).
    CampaignCost,
    /// Campaign members: customers, leads, contacts (`campaign_members`).
    CampaignMember,
    /// The touch log of campaigns (`touches`).
    Touch,
    /// Attributions of won deals to campaign touches, one per deal and model
    /// (`attributions`).
    Attribution,
    /// Tag definitions (`tags`).
    Tag,
    /// Tags on customers, one row per tag and customer (`customer_tags`).
    CustomerTag,
    /// Segments (`segments`).
    Segment,
    /// Segment membership stints (`segment_members`).
    SegmentMember,
    /// Manual includes and excludes of segments (`segment_overrides`).
    SegmentOverride,
}

impl Entity {
    /// Every entity, in dependency order (parents before children).
    pub const ALL: [Entity; 44] = [
        Entity::Tenant,
        Entity::User,
        Entity::Department,
        Entity::Role,
        Entity::Pool,
        Entity::Customer,
        Entity::TeamMember,
        Entity::Contact,
        Entity::FollowUp,
        Entity::HeldCounter,
        Entity::ClaimCounter,
        Entity::OwnerHistory,
        Entity::Purchase,
        Entity::BusinessCalendar,
        Entity::SlaPolicy,
        Entity::Ticket,
        Entity::TicketMessage,
        Entity::Opportunity,
        Entity::Contract,
        Entity::Lead,
        Entity::AssignmentRules,
        Entity::AssignmentCursor,
        Entity::AssignmentMember,
        Entity::LeadLoad,
        Entity::LeadAssignment,
        Entity::Task,
        Entity::TaskTemplates,
        Entity::CalendarEvent,
        Entity::CalendarAttendee,
        Entity::Visit,
        Entity::Credit,
        Entity::Target,
        Entity::CommissionPlan,
        Entity::CommissionStatement,
        Entity::Campaign,
        Entity::CampaignCost,
        Entity::CampaignMember,
        Entity::Touch,
        Entity::Attribution,
        Entity::Tag,
        Entity::CustomerTag,
        Entity::Segment,
        Entity::SegmentMember,
        Entity::SegmentOverride,
    ];

    /// A dense number in `0..Entity::ALL.len()`, distinct per entity (its declaration
    /// order), for arrays of per-entity state.
    pub const fn index(self) -> usize {
        self as usize
    }

    /// The entity's table description.
    pub fn spec(self) -> &'static TableSpec {
        crate::store::schema::spec(self)
    }

    /// Singular name used in errors and audit entries (`customer`).
    pub fn name(self) -> &'static str {
        self.spec().record_name
    }

    /// Whether rows of this entity are part of what every call's access context is built
    /// from: users, departments, roles and pools. A unit of work writing any of them also
    /// bumps the tenant row's version (see [`Changes::touches_access_config`]), so engines
    /// caching that context (in this or another process) notice the change.
    ///
    /// [`Changes::touches_access_config`]: crate::store::Changes::touches_access_config
    pub fn is_access_config(self) -> bool {
        matches!(
            self,
            Entity::User | Entity::Department | Entity::Role | Entity::Pool
        )
    }

    /// Parses a singular name back (`customer` → `Entity::Customer`).
    pub fn from_name(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|e| e.name() == name)
    }
}

/// Type of an indexed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// 64-bit integer (ids, counts).
    Int,
    /// UTF-8 text.
    Text,
    /// An instant (UTC). SQLite stores microseconds since the epoch; PostgreSQL `timestamptz`.
    Time,
    /// Boolean.
    Bool,
}

impl ColumnType {
    /// The type's name in messages (`Int`, `Text`, `Time`, `Bool`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnType::Int => "Int",
            ColumnType::Text => "Text",
            ColumnType::Time => "Time",
            ColumnType::Bool => "Bool",
        }
    }
}

/// One indexed column of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ColumnSpec {
    /// Column name (a fixed identifier, never host input).
    pub name: &'static str,
    /// Column type.
    pub ty: ColumnType,
}

/// How the actor's data scope applies to a table's rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScopeVia {
    /// Not scoped by ownership (org and settings tables; the service checks the action).
    None,
    /// The row is a customer: visible when `owner_col` is in the scope's owners, when the
    /// actor is a live team member of it, or when it sits in one of the scope's pools.
    Customer {
        /// The owner column.
        owner_col: &'static str,
        /// The pool column.
        pool_col: &'static str,
    },
    /// The row hangs off a customer: visible when that customer's owner is in the scope's
    /// owners, when the actor owns that customer, or through a live cascading team
    /// membership on it.
    ChildOfCustomer {
        /// The column holding the customer id.
        customer_col: &'static str,
    },
    /// The row has an owner of its own (an assignee, a salesperson) and hangs off a
    /// customer: visible when `owner_col` is in the scope's owners, or as a child of its
    /// customer (see [`ScopeVia::ChildOfCustomer`]).
    OwnedChildOfCustomer {
        /// The row's own owner column.
        owner_col: &'static str,
        /// The column holding the customer id.
        customer_col: &'static str,
    },
    /// The row has an owner and hangs off nothing: visible when `owner_col` is in the
    /// scope's owners (leads).
    Owned {
        /// The owner column.
        owner_col: &'static str,
    },
}

impl ScopeVia {
    /// The customer column of a table that hangs off customers (and references them).
    pub fn customer_col(self) -> Option<&'static str> {
        match self {
            ScopeVia::ChildOfCustomer { customer_col }
            | ScopeVia::OwnedChildOfCustomer { customer_col, .. } => Some(customer_col),
            ScopeVia::None | ScopeVia::Customer { .. } | ScopeVia::Owned { .. } => None,
        }
    }
}

/// A unique key of a table: `(tenant_id, columns…)` holds at most one row. Rows with a NULL
/// in any of the columns never clash (SQL semantics); `partial` says the SQL stores build it
/// as a partial index over rows where every column is not NULL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UniqueKey {
    /// The key's columns after `tenant_id`, in index order.
    pub columns: &'static [&'static str],
    /// Whether the index covers only rows whose key columns are all set
    /// (`WHERE … IS NOT NULL`).
    pub partial: bool,
}

/// Description of one table: its name, indexed columns and unique keys. Every table also
/// has `tenant_id`, `id`, `version` and `body` (all NOT NULL; the indexed columns may be
/// NULL); the primary key is `(tenant_id, id)`.
#[derive(Debug)]
pub struct TableSpec {
    /// The entity stored here.
    pub entity: Entity,
    /// SQL table name.
    pub table: &'static str,
    /// Singular record name for errors and audit.
    pub record_name: &'static str,
    /// Indexed columns, in the order [`Record::columns`] returns their values.
    pub columns: &'static [ColumnSpec],
    /// Unique keys besides the primary key; every store refuses a clash with `Conflict`.
    pub unique: &'static [UniqueKey],
    /// How data scopes apply.
    pub scope: ScopeVia,
}

impl TableSpec {
    /// Position of a column, or a validation error naming it.
    pub fn column_index(&self, name: &str) -> CrmResult<usize> {
        self.columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                CrmError::validation(
                    name,
                    format!(
                        "{}: {} has no column {name}",
                        crate::store::check::rule::UNKNOWN_COLUMN,
                        self.table
                    ),
                )
            })
    }
}

/// A value of an indexed column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum SqlValue {
    /// SQL NULL.
    Null,
    /// Integer.
    Int(i64),
    /// Text.
    Text(String),
    /// Instant.
    Time(DateTime<Utc>),
    /// Boolean.
    Bool(bool),
}

impl From<i64> for SqlValue {
    fn from(v: i64) -> Self {
        SqlValue::Int(v)
    }
}
impl From<bool> for SqlValue {
    fn from(v: bool) -> Self {
        SqlValue::Bool(v)
    }
}
impl From<DateTime<Utc>> for SqlValue {
    fn from(v: DateTime<Utc>) -> Self {
        SqlValue::Time(v)
    }
}
impl From<String> for SqlValue {
    fn from(v: String) -> Self {
        SqlValue::Text(v)
    }
}
impl From<&str> for SqlValue {
    fn from(v: &str) -> Self {
        SqlValue::Text(v.to_owned())
    }
}
impl<T: Into<SqlValue>> From<Option<T>> for SqlValue {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(SqlValue::Null)
    }
}

/// A record as stores see it.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredRow {
    /// Which table.
    pub entity: Entity,
    /// Owning tenant.
    pub tenant: TenantId,
    /// Record id (unique within the tenant and table).
    pub id: i64,
    /// Version after this write (1 on insert).
    pub version: i64,
    /// Indexed column values, in [`TableSpec::columns`] order.
    pub columns: Vec<SqlValue>,
    /// The whole record as JSON.
    pub body: String,
}

/// A domain record that can be stored.
pub trait Record: Serialize + DeserializeOwned + Clone + Send + Sync {
    /// Its table.
    const ENTITY: Entity;
    /// Owning tenant.
    fn tenant(&self) -> TenantId;
    /// Raw id.
    fn raw_id(&self) -> i64;
    /// Current version.
    fn version(&self) -> i64;
    /// Sets the version (the service bumps it on update).
    fn set_version(&mut self, version: i64);
    /// Indexed column values, in [`TableSpec::columns`] order.
    fn columns(&self) -> Vec<SqlValue>;

    /// The stored form of this record.
    fn to_row(&self) -> CrmResult<StoredRow> {
        let body = serde_json::to_string(self)
            .map_err(|e| CrmError::Storage(format!("encoding {}: {e}", Self::ENTITY.name())))?;
        Ok(StoredRow {
            entity: Self::ENTITY,
            tenant: self.tenant(),
            id: self.raw_id(),
            version: self.version(),
            columns: self.columns(),
            body,
        })
    }

    /// Decodes a stored row (the body is the source of truth; the version column wins).
    fn from_row(row: &StoredRow) -> CrmResult<Self> {
        let mut record: Self = serde_json::from_str(&row.body).map_err(|e| {
            CrmError::Storage(format!("decoding {} {}: {e}", Self::ENTITY.name(), row.id))
        })?;
        record.set_version(row.version);
        Ok(record)
    }
}
