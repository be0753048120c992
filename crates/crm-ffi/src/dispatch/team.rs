//! `team.*`: sharing a customer with other users (团队成员).

use super::{ByCustomer, Op, Request};
use crate::error::FfiResult;
use crm_core::ids::{CustomerId, UserId};
use crm_core::service::TeamMemberInput;
use serde::Deserialize;

pub(super) const OPS: &[Op] = &[
    Op {
        name: "team.add",
        calls: "add_team_member",
        summary: "Adds or replaces a team member on a customer.",
        request: r#"{"customer_id": "int", "member": {"user_id": "int", "access": "read | read_write", "cascade?": "bool", "expires_at?": "RFC 3339 UTC, in the future"}}"#,
        handler: add,
        access: None,
        schemas: None,
    },
    Op {
        name: "team.remove",
        calls: "remove_team_member",
        summary: "Removes a user from a customer's team; the response is null.",
        request: r#"{"customer_id": "int", "user_id": "int"}"#,
        handler: remove,
        access: None,
        schemas: None,
    },
    Op {
        name: "team.list",
        calls: "team",
        summary: "The team of a customer the actor may read.",
        request: r#"{"customer_id": "int"}"#,
        handler: list,
        access: None,
        schemas: None,
    },
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Add {
    customer_id: i64,
    member: TeamMemberInput,
}

fn add(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Add = r.parse()?;
    r.run(move |crm| async move {
        crm.add_team_member(actor, CustomerId(req.customer_id), req.member)
            .await
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Remove {
    customer_id: i64,
    user_id: i64,
}

fn remove(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: Remove = r.parse()?;
    r.run(move |crm| async move {
        crm.remove_team_member(actor, CustomerId(req.customer_id), UserId(req.user_id))
            .await
    })
}

fn list(r: &Request<'_>) -> FfiResult<String> {
    let actor = r.actor()?;
    let req: ByCustomer = r.parse()?;
    r.run(move |crm| async move { crm.team(actor, CustomerId(req.customer_id)).await })
}
