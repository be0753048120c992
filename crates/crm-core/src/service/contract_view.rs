//! A contract as a reader gets it: field rules applied, and each installment's status on the
//! tenant's today (pending, partially paid, paid, overdue, void), by its stable name.

use super::Ctx;
use crate::access::ViewContext;
use crate::contract::Contract;
use crate::store::Entity;
use crate::view::VisibleJson;
use chrono::NaiveDate;

impl Ctx {
    /// The contract under the actor's field rules, with `status` added to every installment
    /// the rules leave visible.
    pub(crate) fn show_contract(
        &self,
        contract: &Contract,
        today: NaiveDate,
        view: ViewContext,
    ) -> VisibleJson {
        let mut shown = self.show(Entity::Contract, contract, view);
        if let Some(items) = shown
            .record
            .get_mut("installments")
            .and_then(|v| v.as_array_mut())
        {
            for (item, installment) in items.iter_mut().zip(&contract.installments) {
                if let Some(object) = item.as_object_mut() {
                    object.insert("status".into(), super::json(&installment.status(today)));
                }
            }
        }
        shown
    }
}
