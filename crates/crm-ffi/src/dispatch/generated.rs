//! The ops of the engine's operation registry (`crm_core::op`): each parses its request type
//! from the request JSON, runs it with `Crm::execute` and serializes its response. Nothing
//! here is written per op.

use super::{Op, Request};
use crate::error::FfiResult;
use crm_core::op::{inline_schemas, Operation, Visitor};

/// Every registered operation as an op of `crm_call`.
pub(super) fn ops() -> Vec<Op> {
    let mut collect = Collect(Vec::new());
    crm_core::op::visit(&mut collect);
    collect.0
}

struct Collect(Vec<Op>);

impl Visitor for Collect {
    fn visit<O: Operation>(&mut self) {
        self.0.push(Op {
            name: O::NAME,
            calls: "",
            summary: O::SUMMARY,
            request: "",
            handler: run::<O>,
            access: Some((O::MODULE.as_str(), O::ACTION.as_str())),
            schemas: Some(inline_schemas::<O>),
        });
    }
}

fn run<O: Operation>(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let request: O = r.parse()?;
    r.run(move |crm| async move { crm.execute(actor, request).await })
}
