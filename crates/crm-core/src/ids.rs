//! Typed identifiers.
//!
//! Tenants, users and departments carry the host's own ids (hosts sync their org in);
//! every record the engine creates gets an id assigned by the store
//! (see `docs/adr/0002-ids.md`).

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}", self.0)
            }
        }

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                Self(raw)
            }
        }
    };
}

id_type!(
    /// A tenant (one customer organisation of the host). Chosen by the host.
    TenantId
);
id_type!(
    /// A user of the host, synced in. Chosen by the host.
    UserId
);
id_type!(
    /// A department of the host's org tree, synced in. Chosen by the host.
    DepartmentId
);
id_type!(
    /// A role (bundle of grants). Assigned by the store.
    RoleId
);
id_type!(
    /// A customer (客户). Assigned by the store.
    CustomerId
);
id_type!(
    /// A contact person of a customer (联系人). Assigned by the store.
    ContactId
);
id_type!(
    /// A follow-up record (跟进记录). Assigned by the store.
    FollowUpId
);
id_type!(
    /// A team-membership row sharing a customer with a user. Assigned by the store.
    TeamMemberId
);
id_type!(
    /// A customer pool (公海). Assigned by the store.
    PoolId
);
