//! The host's org: users, the department tree and supervisors (§4.7), synced in by the host.

mod department;
mod tree;
mod user;

pub use department::Department;
pub use tree::Org;
pub use user::User;
