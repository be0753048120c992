//! `tag.*`: tags (标签) — manual and rule tag definitions, putting tags on and off customers
//! by hand, reading a customer's tags and a tag's customers, and evaluating rule tags.

use super::{facet, operation};
use crate::ids::{CustomerId, TagId};
pub use crate::service::TagFilter;
use crate::service::{
    CustomerTagView, Page, RetiredTag, TagChange, TagCustomerPage, TagEvaluation,
};
use crate::tag::Tag;
pub use crate::tag::{CreateTag, UpdateTag};
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Tags (标签): manual tags users put on customers and rule tags the engine keeps from a
    /// condition over customer state, evaluated as of a date.
    tags -> TagOps {
        create: CreateTag,
        update: UpdateTag,
        retire: RetireTag,
        get: GetTag,
        list: TagFilter,
        apply: ApplyTag,
        remove: RemoveTag,
        of_customer: CustomerTags,
        customers: TagCustomers,
        evaluate: EvaluateTags,
    }
);

operation!(CreateTag, "tag.create", Marketing, Create, Tag,
    "Creates a tag definition: name unique in the tenant (trimmed, 1-50 characters; a taken name is duplicate), kind manual or rule, a rule for rule tags only (rule_required, rule_not_allowed; its errors name rule.<path> with unknown_field, out_of_range, ...), whose tag leaves may name active manual tags only (rule_tag_in_rule, unknown_tag), description, color #rrggbb. Marketing create or a tenant admin.",
    |crm, actor, r| crm.create_tag(actor, r));

operation!(UpdateTag, "tag.update", Marketing, Update, Tag,
    "Changes an active tag's name, rule, description or color (never its kind) under the create rules; a manual tag an active rule reads keeps its name (tag_in_use). Marketing update or a tenant admin.",
    |crm, actor, r| crm.update_tag(actor, r));

/// Retires a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RetireTag {
    /// The tag.
    pub id: TagId,
}

operation!(RetireTag, "tag.retire", Marketing, Update, RetiredTag,
    "Retires a tag and takes it off every customer (TagRemoved events with reason tag_retired); its name stays taken. A manual tag an active rule reads cannot be retired (tag_in_use). Retiring a retired tag finishes an interrupted removal.",
    |crm, actor, r| crm.retire_tag(actor, r.id));

/// Reads one tag definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetTag {
    /// The tag.
    pub id: TagId,
}

operation!(
    GetTag,
    "tag.get",
    Marketing,
    Read,
    Tag,
    "One tag definition (marketing read or a tenant admin).",
    |crm, actor, r| crm.get_tag(actor, r.id)
);

operation!(TagFilter, "tag.list", Marketing, Read, Page<Tag>,
    "Tag definitions by ascending id, by kind and status, a page at a time (marketing read or a tenant admin).",
    |crm, actor, r| crm.list_tags(actor, r));

/// Puts a tag on a customer by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyTag {
    /// The tag (active).
    pub tag_id: TagId,
    /// The customer.
    pub customer_id: CustomerId,
}

operation!(ApplyTag, "tag.apply", Marketing, Update, TagChange,
    "Puts an active tag on a customer by hand (TagApplied, reason manual): marketing update and Update on that customer. A tag applied by hand stays until removed by hand, whatever its rule says.",
    |crm, actor, r| crm.apply_tag(actor, r.tag_id, r.customer_id));

/// Takes a tag off a customer by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveTag {
    /// The tag (active).
    pub tag_id: TagId,
    /// The customer.
    pub customer_id: CustomerId,
}

operation!(RemoveTag, "tag.remove", Marketing, Update, TagChange,
    "Takes a tag off a customer by hand (TagRemoved, reason manual): marketing update and Update on that customer. A removed rule tag stays off until its rule first stops matching and then matches again.",
    |crm, actor, r| crm.remove_tag(actor, r.tag_id, r.customer_id));

/// The tags of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomerTags {
    /// The customer (readable by the actor).
    pub customer_id: CustomerId,
}

operation!(CustomerTags, "tag.of_customer", Marketing, Read, Vec<CustomerTagView>,
    "The active tags a customer carries, by tag id, with their source and since when; the customer must be readable by the actor.",
    |crm, actor, r| crm.customer_tags(actor, r.customer_id));

/// The customers carrying a tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagCustomers {
    /// The tag.
    pub tag_id: TagId,
    /// Keyset cursor.
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

operation!(TagCustomers, "tag.customers", Marketing, Read, TagCustomerPage,
    "The customers carrying a tag, a page at a time, with their total: only customers in the actor's customer read scope are listed or counted (marketing read and customers read).",
    |crm, actor, r| crm.tag_customers(actor, r.tag_id, r.after, r.limit));

/// Evaluates rule tags now or as of an instant.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EvaluateTags {
    /// One rule tag (default: every active rule tag).
    #[serde(default)]
    pub tag_id: Option<TagId>,
    /// The instant to evaluate as of (default: the engine's clock).
    #[serde(default)]
    pub as_of: Option<DateTime<Utc>>,
}

operation!(EvaluateTags, "tag.evaluate", Marketing, Update, TagEvaluation,
    "Evaluates one active rule tag (else not_a_rule_tag) or all of them over every customer as of an instant, state-based, writing only changes (TagApplied with reason rule_matches, TagRemoved with rule_no_longer_matches); answers the counts applied and removed. Tenant admins, the system actor or marketing update reaching all.",
    |crm, actor, r| crm.evaluate_tags(actor, r.tag_id, r.as_of));
