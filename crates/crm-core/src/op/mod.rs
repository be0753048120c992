//! Operations as values (DESIGN §2.1, ADR 0015): every operation the engine offers is a
//! request type — `Serialize`, `Deserialize`, [`JsonSchema`], documented — with one
//! [`Operation`] impl naming it (`"receivable.set_plan"`), its summary, module and action,
//! its response type and the engine call it runs.
//!
//! [`visit`] walks the one registry of every operation; hosts build their dispatch from it
//! (the C ABI's `crm_call`, the JSON Schema document [`schema_document`]) instead of
//! writing each operation again. In Rust, [`Crm::execute`] runs any request.

mod achievement;
mod assignment;
mod attribution;
mod audit;
mod calendar;
mod campaigns;
mod commission;
mod contacts;
mod contracts;
mod customer_state;
mod customers;
mod events;
mod followups;
mod lead_pools;
mod leads;
mod opportunities;
mod org;
mod pools;
mod receivables;
mod reports;
mod scheduled;
mod schema;
mod segments;
mod sla;
mod tags;
mod targets;
mod tasks;
mod team;
mod tenant;
mod tickets;
mod tiers;
mod visits;

pub use achievement::*;
pub use assignment::*;
pub use attribution::*;
pub use audit::*;
pub use calendar::*;
pub use campaigns::*;
pub use commission::*;
pub use contacts::*;
pub use contracts::*;
pub use customer_state::*;
pub use customers::*;
pub use events::*;
pub use followups::*;
pub use lead_pools::*;
pub use leads::*;
pub use opportunities::*;
pub use org::*;
pub use pools::*;
pub use receivables::*;
pub use reports::*;
pub use scheduled::*;
pub use schema::{inline_schemas, schema_document};
pub use segments::*;
pub use sla::*;
pub use tags::*;
pub use targets::*;
pub use tasks::*;
pub use team::*;
pub use tenant::*;
pub use tickets::*;
pub use tiers::*;
pub use visits::*;

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

/// The families, in registry order: each contributes its facet and its operations.
macro_rules! families {
    ($($family:ident),+ $(,)?) => {
        /// Shows `visitor` every operation the engine offers, family by family. This is the
        /// registry: an operation not listed here does not exist for hosts.
        pub fn visit<V: Visitor>(visitor: &mut V) {
            $($family::visit(visitor);)+
        }

        /// Every facet by its accessor name (`"pool"` for `crm.pool()`) with the operations
        /// it runs, in registry order. Each registered operation belongs to exactly one facet.
        pub fn facets() -> Vec<(&'static str, &'static [&'static str])> {
            vec![$($family::FACET),+]
        }
    };
}

families!(
    tenant,
    org,
    customers,
    contacts,
    followups,
    team,
    contracts,
    receivables,
    pools,
    tiers,
    tickets,
    sla,
    opportunities,
    leads,
    tasks,
    assignment,
    calendar,
    reports,
    events,
    audit,
    scheduled,
    visits,
    achievement,
    commission,
    targets,
    campaigns,
    attribution,
    tags,
    segments,
);

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

/// Declares a family's facet — the Rust API by domain word (`crm.pool().claim(actor,
/// ClaimCustomers { .. })`) — and, from the same list, the family's part of the registry
/// ([`visit`]): an operation is listed once, here, and is then both a facet method and a
/// registered operation. Each method runs its request through [`Crm::execute`].
macro_rules! facet {
    ($(#[$doc:meta])* $accessor:ident -> $facet:ident { $($method:ident: $req:ty),+ $(,)? }) => {
        $(#[$doc])*
        pub struct $facet<'a, S: $crate::store::Store> {
            crm: &'a $crate::service::Crm<S>,
        }

        impl<S: $crate::store::Store> Clone for $facet<'_, S> {
            fn clone(&self) -> Self {
                *self
            }
        }

        impl<S: $crate::store::Store> Copy for $facet<'_, S> {}

        impl<S: $crate::store::Store> ::std::fmt::Debug for $facet<'_, S> {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(stringify!($facet))
            }
        }

        impl<S: $crate::store::Store> $crate::service::Crm<S> {
            #[doc = concat!("The `", stringify!($accessor), "` facet: see [`", stringify!($facet), "`].")]
            pub fn $accessor(&self) -> $facet<'_, S> {
                $facet { crm: self }
            }
        }

        impl<S: $crate::store::Store> $facet<'_, S> {
            $(
                #[doc = concat!("Runs [`", stringify!($req), "`] (its documentation names the operation, its rules and its answer).")]
                pub async fn $method(
                    &self,
                    actor: $crate::actor::Actor,
                    request: $req,
                ) -> $crate::error::CrmResult<<$req as $crate::op::Operation>::Response> {
                    self.crm.execute(actor, request).await
                }
            )+
        }

        pub(super) fn visit<V: $crate::op::Visitor>(v: &mut V) {
            $(v.visit::<$req>();)+
        }

        pub(super) const FACET: (&str, &[&str]) =
            (stringify!($accessor), &[$(<$req as $crate::op::Operation>::NAME),+]);
    };
}
pub(crate) use facet;
