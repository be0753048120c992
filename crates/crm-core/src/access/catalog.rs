//! The fields a field rule can name (字段权限), per module, and where each one shows up in
//! what the engine serializes about a record of that module: the record itself, the values
//! of its audit entries and the payloads of its events. A field is found by JSON key at any
//! depth, so a contract's `total` is withheld from its totals, lines, installments, ledger,
//! approval facts, pending amendment, 360° overview and events alike.

use super::grant::Module;
use crate::store::Entity;

/// How a field's value is shown when a rule masks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum FieldKind {
    /// A phone number: first 3 and last 4 digits kept.
    Phone,
    /// An e-mail address: first character and the domain kept.
    Email,
    /// Free text: first character kept.
    Text,
    /// Money: never masked, a masking rule withholds it like a hidden one.
    Amount,
    /// Any other value (lists, enums): shown unless hidden.
    Value,
}

/// One field of a module a field rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogField {
    /// The name a rule uses (`phone`, `total`).
    pub name: &'static str,
    /// How it is masked.
    pub kind: FieldKind,
    /// The JSON keys that carry it, at any depth.
    pub keys: &'static [&'static str],
}

const fn field(name: &'static str, kind: FieldKind, keys: &'static [&'static str]) -> CatalogField {
    CatalogField { name, kind, keys }
}

/// Every key that carries money on a contract, its receivable plan and its ledger: each
/// one reveals the total (lines sum to it, installments sum to it, payments settle it).
const CONTRACT_MONEY: &[&str] = &[
    "totals",
    "total",
    "subtotal",
    "net_total",
    "tax_total",
    "grand_total",
    "order_discount",
    "order_discount_share",
    "net",
    "taxable",
    "tax",
    "unit_price",
    "amount",
    "paid",
    "written_off",
    "outstanding",
    "overdue",
    "credit",
    "allocations",
    "reflowed_to",
    "approved_total",
    "amended_total",
];

const CUSTOMERS: &[CatalogField] = &[
    field("name", FieldKind::Text, &["name"]),
    field("phone", FieldKind::Phone, &["phone"]),
    field("email", FieldKind::Email, &["email"]),
    field("address", FieldKind::Text, &["address"]),
    field("industry", FieldKind::Text, &["industry"]),
    field("external_ref", FieldKind::Text, &["external_ref"]),
    field("source", FieldKind::Value, &["source"]),
    field("tags", FieldKind::Value, &["tags"]),
    field("level", FieldKind::Value, &["level"]),
    field("tier", FieldKind::Value, &["tier"]),
    field("location", FieldKind::Value, &["location"]),
    // Over-payments kept per currency: withheld also when contract totals or receivable
    // amounts are (`Ctx::customer_policy`), since they come from those payments.
    field("credit", FieldKind::Amount, &["credit"]),
];

const CONTACTS: &[CatalogField] = &[
    field("name", FieldKind::Text, &["name"]),
    field("title", FieldKind::Text, &["title"]),
    field("phone", FieldKind::Phone, &["phone"]),
    field("email", FieldKind::Email, &["email"]),
];

const FOLLOW_UPS: &[CatalogField] = &[
    field("content", FieldKind::Text, &["content"]),
    field("location", FieldKind::Value, &["location"]),
];

const OPPORTUNITIES: &[CatalogField] = &[
    field("name", FieldKind::Text, &["name"]),
    field("amount", FieldKind::Amount, &["amount", "unit_price"]),
    field("products", FieldKind::Value, &["products"]),
];

const CONTRACTS: &[CatalogField] = &[
    field("number", FieldKind::Text, &["number"]),
    field("total", FieldKind::Amount, CONTRACT_MONEY),
    field("lines", FieldKind::Value, &["lines"]),
];

const RECEIVABLES: &[CatalogField] = &[
    field("amount", FieldKind::Amount, CONTRACT_MONEY),
    field("method", FieldKind::Text, &["method"]),
    field("reference", FieldKind::Text, &["reference"]),
];

const TICKETS: &[CatalogField] = &[
    field("subject", FieldKind::Text, &["subject"]),
    field("description", FieldKind::Text, &["description"]),
    field("category", FieldKind::Text, &["category"]),
    field("group", FieldKind::Text, &["group", "group_name"]),
    field(
        "satisfaction",
        FieldKind::Value,
        &["satisfaction", "rating"],
    ),
];

const CALENDAR: &[CatalogField] = &[
    field("title", FieldKind::Text, &["title"]),
    field("location", FieldKind::Text, &["location"]),
];

const LEADS: &[CatalogField] = &[
    field("name", FieldKind::Text, &["name"]),
    field("company", FieldKind::Text, &["company"]),
    field("phone", FieldKind::Phone, &["phone"]),
    field("email", FieldKind::Email, &["email"]),
    field("source", FieldKind::Text, &["source"]),
    field("region", FieldKind::Text, &["region"]),
    field("industry", FieldKind::Text, &["industry"]),
    field("estimated_amount", FieldKind::Amount, &["estimated_amount"]),
];

/// The fields of a module a rule can name (custom fields of customers come on top, as
/// `custom.<key>`).
pub fn catalog(module: Module) -> &'static [CatalogField] {
    match module {
        Module::Customers => CUSTOMERS,
        Module::Contacts => CONTACTS,
        Module::FollowUps => FOLLOW_UPS,
        Module::Opportunities => OPPORTUNITIES,
        Module::Contracts => CONTRACTS,
        Module::Receivables => RECEIVABLES,
        Module::Tickets => TICKETS,
        Module::Leads => LEADS,
        Module::Calendar => CALENDAR,
        Module::Pools
        | Module::Reports
        | Module::Settings
        | Module::Tasks
        | Module::Visits
        | Module::Targets
        | Module::Commission
        | Module::Marketing => &[],
    }
}

/// The catalog entry of a field, if the module has it.
pub fn catalog_field(module: Module, name: &str) -> Option<&'static CatalogField> {
    catalog(module).iter().find(|f| f.name == name)
}

/// Prefix of customer custom-field rules (`custom.budget`).
pub const CUSTOM_PREFIX: &str = "custom.";

/// True when a rule may name `field` on `module`.
pub fn is_known_field(module: Module, field: &str) -> bool {
    catalog_field(module, field).is_some()
        || (matches!(module, Module::Customers | Module::Leads)
            && field
                .strip_prefix(CUSTOM_PREFIX)
                .is_some_and(|k| !k.is_empty()))
}

/// The modules whose field rules govern a record kind (a contract carries its receivable
/// plan and ledger, so both apply).
pub fn modules_of(entity: Entity) -> &'static [Module] {
    match entity {
        Entity::Customer => &[Module::Customers],
        Entity::Contact => &[Module::Contacts],
        Entity::FollowUp => &[Module::FollowUps],
        Entity::Opportunity => &[Module::Opportunities],
        Entity::Contract => &[Module::Contracts, Module::Receivables],
        Entity::Ticket | Entity::TicketMessage => &[Module::Tickets],
        Entity::Lead => &[Module::Leads],
        Entity::CalendarEvent => &[Module::Calendar],
        Entity::Task => &[Module::Tasks],
        Entity::Visit => &[Module::Visits],
        Entity::Credit | Entity::Target => &[Module::Targets],
        Entity::CommissionPlan | Entity::CommissionStatement => &[Module::Commission],
        Entity::Campaign | Entity::CampaignCost | Entity::CampaignMember | Entity::Touch => {
            &[Module::Marketing]
        }
        Entity::Attribution => &[Module::Marketing],
        Entity::Tag | Entity::CustomerTag => &[Module::Marketing],
        Entity::Segment | Entity::SegmentMember | Entity::SegmentOverride => &[Module::Marketing],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_module_and_known() {
        for module in [
            Module::Customers,
            Module::Contacts,
            Module::FollowUps,
            Module::Opportunities,
            Module::Contracts,
            Module::Receivables,
            Module::Tickets,
            Module::Leads,
            Module::Calendar,
        ] {
            let mut names: Vec<&str> = catalog(module).iter().map(|f| f.name).collect();
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "{module:?}");
            assert!(names.iter().all(|f| is_known_field(module, f)));
        }
        assert!(is_known_field(Module::Customers, "custom.budget"));
        assert!(!is_known_field(Module::Customers, "custom."));
        assert!(!is_known_field(Module::Contracts, "amount"));
        assert!(!is_known_field(Module::Settings, "name"));
    }
}
