//! `customer.*`: create (with the duplicate check), update, read, list, transfer, CSV import,
//! the 360° view and the customer's audit trail.

use super::customer_state::{RecycleCountdown, SetDealStatus, SetLocked};
use super::{facet, operation};
use crate::customer::import::ImportReport;
pub use crate::customer::NewCustomer;
use crate::customer::{Customer, CustomerPatch};
use crate::ids::{CustomerId, UserId};
pub use crate::service::CustomerFilter;
use crate::service::{Customer360, ImportOptions, Page};
use crate::store::AuditEntry;
use crate::view::Visible;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// Customers (客户): create with the duplicate check, update, read, list, transfer, import, the 360° view, the audit trail, lock, deal status and the recycle countdown.
    customers -> CustomerOps {
        create: NewCustomer,
        update: UpdateCustomer,
        get: GetCustomer,
        list: CustomerFilter,
        transfer: TransferCustomer,
        import_csv: ImportCustomersCsv,
        view_360: ViewCustomer360,
        audit: AuditCustomer,
        set_locked: SetLocked,
        set_deal_status: SetDealStatus,
        recycle_countdown: RecycleCountdown,
    }
);

operation!(NewCustomer, "customer.create", Customers, Create, Visible<Customer>,
    "Creates a customer (owner defaults to the acting user; without an owner it goes into a pool); a normalized phone or company name match fails with CRM_DUPLICATE unless force.",
    |crm, actor, r| crm.create_customer(actor, r));

/// Changes a customer's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateCustomer {
    /// The customer.
    pub id: CustomerId,
    /// The fields to change; absent fields stay, `""` clears optional text.
    pub patch: CustomerPatch,
}

operation!(
    UpdateCustomer,
    "customer.update",
    Customers,
    Update,
    Visible<Customer>,
    "Changes a customer's fields; absent fields stay, \"\" clears optional text.",
    |crm, actor, r| crm.update_customer(actor, r.id, r.patch)
);

/// Reads one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetCustomer {
    /// The customer.
    pub id: CustomerId,
}

operation!(
    GetCustomer,
    "customer.get",
    Customers,
    Read,
    Visible<Customer>,
    "One customer, masked for the actor.",
    |crm, actor, r| crm.get_customer(actor, r.id)
);

operation!(
    CustomerFilter,
    "customer.list",
    Customers,
    Read,
    Page<Visible<Customer>>,
    "A page of the customers the actor may read: {items, next_after}.",
    |crm, actor, r| crm.list_customers(actor, r)
);

/// Gives a customer to another owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferCustomer {
    /// The customer.
    pub id: CustomerId,
    /// The user who becomes its owner.
    pub new_owner_id: UserId,
}

operation!(
    TransferCustomer,
    "customer.transfer",
    Customers,
    Transfer,
    Visible<Customer>,
    "Gives a customer to another owner.",
    |crm, actor, r| crm.transfer_customer(actor, r.id, r.new_owner_id)
);

/// Imports customers from CSV text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportCustomersCsv {
    /// The CSV text, header row first (`name,kind,phone,email,…`).
    pub csv: String,
    /// Batch size (the defaults when absent).
    #[serde(default)]
    pub options: ImportOptions,
}

operation!(ImportCustomersCsv, "customer.import_csv", Customers, Import, ImportReport,
    "Imports customers from CSV text (header row: name,kind,phone,email,industry,level,tags,owner_id,address,…); reports imported, invalid and duplicate rows.",
    |crm, actor, r| crm.import_customers_csv(actor, &r.csv, r.options));

/// The 360° view of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ViewCustomer360 {
    /// The customer.
    pub id: CustomerId,
}

operation!(ViewCustomer360, "customer.view_360", Customers, Read, Customer360,
    "The 360° view: customer (with tier), owner name, contacts, recent follow-ups, opportunities, contracts with installments (paid, outstanding), open tickets with SLA state, team, owner/pool history; sections the actor may not read are null.",
    |crm, actor, r| crm.customer_360(actor, r.id));

/// The audit trail of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuditCustomer {
    /// The customer.
    pub id: CustomerId,
}

operation!(AuditCustomer, "customer.audit", Customers, Read, Vec<AuditEntry>,
    "The audit trail of a customer the actor may read, with the actor's field rules (and the pool's) applied to every value.",
    |crm, actor, r| crm.customer_audit(actor, r.id));
