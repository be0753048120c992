//! Field permissions applied to a customer.

use super::model::Customer;
use crate::access::{FieldPolicy, ViewContext};
use crate::view::{MaskKind, Masker, Visible};

/// The customer as the policy lets the actor see it in `ctx`.
pub fn visible_customer(
    mut c: Customer,
    policy: &FieldPolicy,
    ctx: ViewContext,
) -> Visible<Customer> {
    let mut m = Masker::new(policy, ctx);
    m.required_text("name", &mut c.name, MaskKind::Text);
    m.text("phone", &mut c.phone, MaskKind::Phone);
    m.text("email", &mut c.email, MaskKind::Email);
    m.text("address", &mut c.address, MaskKind::Text);
    m.text("industry", &mut c.industry, MaskKind::Text);
    m.text("external_ref", &mut c.external_ref, MaskKind::Text);
    m.other("source", &mut c.source);
    m.other("tags", &mut c.tags);
    m.other("level", &mut c.level);
    m.other("tier", &mut c.tier);
    m.other("location", &mut c.location);
    m.other("credit", &mut c.credit);
    let keys: Vec<String> = c.custom.keys().cloned().collect();
    for key in keys {
        if m.hide(&format!("custom.{key}")) {
            c.custom.remove(&key);
        }
    }
    m.finish(c)
}
