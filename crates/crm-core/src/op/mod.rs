//! Operations as values (DESIGN §2.1, ADR 0015): every operation the engine offers is a
//! request type — `Serialize`, `Deserialize`, [`JsonSchema`], documented — with one
//! [`Operation`] impl naming it (`"receivable.set_plan"`), its summary, module and action,
//! its response type and the engine call it runs.
//!
//! [`visit`] walks the one registry of every operation; hosts build their dispatch from it
//! (the C ABI's `crm_call`, the JSON Schema document [`schema_document`]) instead of
//! writing each operation again. In Rust, [`Crm::execute`] runs any request.

mod contacts;
mod contracts;
mod customer_state;
mod customers;
mod followups;
mod logs;
mod opportunities;
mod org;
mod pools;
mod receivables;
mod reports;
mod scheduled;
mod schema;
mod sla;
mod team;
mod tenant;
mod tickets;
mod tiers;

pub use contacts::*;
pub use contracts::*;
pub use customer_state::*;
pub use customers::*;
pub use followups::*;
pub use logs::*;
pub use opportunities::*;
pub use org::*;
pub use pools::*;
pub use receivables::*;
pub use reports::*;
pub use scheduled::*;
pub use schema::{inline_schemas, schema_document};
pub use sla::*;
pub use team::*;
pub use tenant::*;
pub use tickets::*;
pub use tiers::*;

use crate::access::{Action, Module};
use crate::actor::Actor;
use crate::error::CrmResult;
use crate::service::Crm;
use crate::store::Store;
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::future::Future;

/// One operation: the request type is the operation.
pub trait Operation: Serialize + DeserializeOwned + JsonSchema + Send + Sized + 'static {
    /// Stable name, `family.verb` (`"contract.submit"`): never renamed, never reused.
    const NAME: &'static str;
    /// One sentence or two for hosts (`meta.ops`, the schema document).
    const SUMMARY: &'static str;
    /// The module whose grants govern it.
    const MODULE: Module;
    /// The action it performs in that module.
    const ACTION: Action;
    /// What it answers.
    type Response: Serialize + JsonSchema + Send;
    /// Runs it for `actor`.
    fn run<S: Store>(
        self,
        crm: &Crm<S>,
        actor: Actor,
    ) -> impl Future<Output = CrmResult<Self::Response>> + Send;
}

/// Something that wants to see every operation type (see [`visit`]).
pub trait Visitor {
    /// Called once per operation, in registry order.
    fn visit<O: Operation>(&mut self);
}

/// Shows `visitor` every operation the engine offers, family by family. This is the
/// registry: an operation not listed here does not exist for hosts.
pub fn visit<V: Visitor>(visitor: &mut V) {
    tenant::visit(visitor);
    org::visit(visitor);
    customers::visit(visitor);
    customer_state::visit(visitor);
    contacts::visit(visitor);
    followups::visit(visitor);
    team::visit(visitor);
    contracts::visit(visitor);
    receivables::visit(visitor);
    pools::visit(visitor);
    tiers::visit(visitor);
    tickets::visit(visitor);
    sla::visit(visitor);
    opportunities::visit(visitor);
    reports::visit(visitor);
    logs::visit(visitor);
    scheduled::visit(visitor);
}

impl<S: Store> Crm<S> {
    /// Runs any operation for `actor`: `crm.execute(actor, SubmitContract { id })`.
    pub async fn execute<O: Operation>(&self, actor: Actor, request: O) -> CrmResult<O::Response> {
        request.run(self, actor).await
    }
}

/// Declares the [`Operation`] impl of a request type: its name, summary, module, action,
/// response and the engine call (`|crm, actor, request| expression`, an `async` expression).
macro_rules! operation {
    ($ty:ty, $name:literal, $module:ident, $action:ident, $resp:ty, $summary:literal,
     |$crm:ident, $actor:ident, $req:ident| $body:expr) => {
        impl $crate::op::Operation for $ty {
            const NAME: &'static str = $name;
            const SUMMARY: &'static str = $summary;
            const MODULE: $crate::access::Module = $crate::access::Module::$module;
            const ACTION: $crate::access::Action = $crate::access::Action::$action;
            type Response = $resp;
            fn run<S: $crate::store::Store>(
                self,
                $crm: &$crate::service::Crm<S>,
                $actor: $crate::actor::Actor,
            ) -> impl ::std::future::Future<Output = $crate::error::CrmResult<$resp>> + Send {
                let $req = self;
                async move { $body.await }
            }
        }
    };
}
pub(crate) use operation;
