//! Permissions (§4.7): roles with data scopes per module and action, team sharing, field
//! permissions and masking. See `docs/adr/0003-permission-model.md`.

mod catalog;
mod context;
mod field;
mod grant;
mod record;
mod role;
mod team;

pub use catalog::{
    catalog, catalog_field, is_known_field, modules_of, CatalogField, FieldKind, CUSTOM_PREFIX,
};
pub use context::{AccessContext, Reach};
pub use field::{
    mask_email, mask_phone, mask_text, FieldAccess, FieldPolicy, FieldRule, MaskMode, ViewContext,
};
pub use grant::{Action, DataScope, Grant, Module};
pub use role::Role;
pub use team::{TeamAccess, TeamMember};
