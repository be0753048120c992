//! Who is acting: a user of the tenant, or the tenant's system actor (scheduled work, the
//! host's own integration code).

use crate::ids::{TenantId, UserId};
use serde::{Deserialize, Serialize};

/// The acting party of a service call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Actor {
    /// A synced user; permissions come from their roles.
    User {
        /// Tenant the user belongs to.
        tenant: TenantId,
        /// The user.
        user: UserId,
    },
    /// The tenant's system actor: full rights inside its own tenant and nowhere else.
    System {
        /// The tenant.
        tenant: TenantId,
    },
}

impl Actor {
    /// A user actor.
    pub fn user(tenant: TenantId, user: UserId) -> Self {
        Actor::User { tenant, user }
    }

    /// The system actor of a tenant.
    pub fn system(tenant: TenantId) -> Self {
        Actor::System { tenant }
    }

    /// The actor's tenant.
    pub fn tenant(&self) -> TenantId {
        match *self {
            Actor::User { tenant, .. } | Actor::System { tenant } => tenant,
        }
    }

    /// The acting user, if any.
    pub fn user_id(&self) -> Option<UserId> {
        match *self {
            Actor::User { user, .. } => Some(user),
            Actor::System { .. } => None,
        }
    }
}
