//! `customer.*`: create (with the duplicate check), update, read, list, transfer, CSV import,
//! the 360° view and the customer's audit trail.

use super::{ById, Op, Request};
use crate::error::FfiResult;
use crm_core::customer::{CustomerPatch, NewCustomer};
use crm_core::ids::{CustomerId, UserId};
use crm_core::service::{CustomerFilter, ImportOptions};
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "customer.create",
        calls: "create_customer",
        summary: "Creates a customer (owner defaults to the acting user; without an owner it goes into a pool); a normalized phone or company name match fails with CRM_DUPLICATE unless force.",
        request: r#"{"name": "string", "kind?": "company | person", "industry?": "string", "source?": "ad | referral | import | web_form | api | exhibition | cold_call | other", "phone?": "string", "email?": "string", "address?": "string", "tags?": ["string"], "level?": "A | B | C", "owner_id?": "int", "pool_id?": "int (no owner: into this pool, else the default pool)", "custom?": {"key": "value per the tenant's field schema"}, "external_ref?": "string, unique per tenant", "force?": "bool"}"#,
        handler: create,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.update",
        calls: "update_customer",
        summary: "Changes a customer's fields; absent fields stay, \"\" clears optional text.",
        request: r#"{"id": "int", "patch": {"name?": "string", "industry?": "string", "source?": "…", "phone?": "string", "email?": "string", "address?": "string", "tags?": ["string"], "level?": "A | B | C", "custom?": {"key": "value or null to clear"}, "external_ref?": "string", "expected_version?": "int (CRM_CONFLICT if the stored version differs)"}}"#,
        handler: update,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.get",
        calls: "get_customer",
        summary: "One customer, masked for the actor.",
        request: r#"{"id": "int"}"#,
        handler: get,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.list",
        calls: "list_customers",
        summary: "A page of the customers the actor may read: {items, next_after}.",
        request: r#"{"owner_id?": "int", "level?": "A | B | C", "deal_status?": "not_dealt | dealt", "name_contains?": "string", "newest_first?": "bool", "after?": "int (next_after of the previous page)", "limit?": "int 1..=500, default 50"}"#,
        handler: list,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.transfer",
        calls: "transfer_customer",
        summary: "Gives a customer to another owner.",
        request: r#"{"id": "int", "new_owner_id": "int"}"#,
        handler: transfer,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.import_csv",
        calls: "import_customers_csv",
        summary: "Imports customers from CSV text (header row: name,kind,phone,email,industry,level,tags,owner_id,address,…); reports imported, invalid and duplicate rows.",
        request: r#"{"csv": "string", "options?": {"batch_size": "int 1..=5000, default 500"}}"#,
        handler: import_csv,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.view_360",
        calls: "customer_360",
        summary: "The 360° view: customer (with tier), owner name, contacts, recent follow-ups, opportunities, contracts with installments (paid, outstanding), open tickets with SLA state, team, owner/pool history; sections the actor may not read are null.",
        request: r#"{"id": "int"}"#,
        handler: view_360,
        access: None,
        schemas: None,
    },
    Op {
        name: "customer.audit",
        calls: "customer_audit",
        summary: "The audit trail of a customer the actor may read, with the actor's field rules (and the pool's) applied to every value.",
        request: r#"{"id": "int"}"#,
        handler: audit,
        access: None,
        schemas: None,
    },
];

fn create(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let input: NewCustomer = r.parse()?;
    r.run(move |crm| async move { crm.create_customer(actor, input).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Update {
    id: i64,
    patch: CustomerPatch,
}

fn update(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Update = r.parse()?;
    r.run(move |crm| async move {
        crm.update_customer(actor, CustomerId(req.id), req.patch)
            .await
    })
}

fn get(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.get_customer(actor, CustomerId(req.id)).await })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let filter: CustomerFilter = r.parse()?;
    r.run(move |crm| async move { crm.list_customers(actor, filter).await })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Transfer {
    id: i64,
    new_owner_id: i64,
}

fn transfer(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Transfer = r.parse()?;
    r.run(move |crm| async move {
        crm.transfer_customer(actor, CustomerId(req.id), UserId(req.new_owner_id))
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ImportCsv {
    csv: String,
    #[serde(default)]
    options: ImportOptions,
}

fn import_csv(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ImportCsv = r.parse()?;
    r.run(move |crm| async move { crm.import_customers_csv(actor, &req.csv, req.options).await })
}

fn view_360(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.customer_360(actor, CustomerId(req.id)).await })
}

fn audit(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ById = r.parse()?;
    r.run(move |crm| async move { crm.customer_audit(actor, CustomerId(req.id)).await })
}
