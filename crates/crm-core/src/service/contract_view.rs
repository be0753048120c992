//! A contract as a reader gets it (also as the response to a write): field rules applied,
//! and each installment's status on the tenant's today (pending, partially paid, paid,
//! overdue, void), by its stable name.

use super::Ctx;
use crate::access::ViewContext;
use crate::contract::Contract;
use crate::error::CrmResult;
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

    /// The contract as the acting user gets it back from a write: the detail view on the
    /// tenant's today.
    pub(crate) fn contract_detail(&self, contract: &Contract) -> CrmResult<VisibleJson> {
        let today = crate::sales::today_in(self.tenant.settings.tz()?, self.now);
        Ok(self.show_contract(contract, today, ViewContext::Detail))
    }
}
