//! What customer input reads from its tenant's settings: the custom field schema and the
//! phone region. A trait, so the customer rules do not depend on the tenant module (which
//! gathers every module's settings); the tenant settings implement it.

use super::custom_fields::CustomFieldDef;

/// The settings customer input is validated against.
pub trait CustomerSettings {
    /// The custom field schema for customers.
    fn customer_fields(&self) -> &[CustomFieldDef];
    /// The region (ISO 3166-1 alpha-2) phone numbers without an international prefix are
    /// read in.
    fn phone_region(&self) -> &str;
}
