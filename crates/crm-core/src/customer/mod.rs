//! Customers (客户, §4.1): the record, its inputs and validation, normalization for the
//! duplicate check, custom fields, CSV import parsing and field masking.

pub mod custom_fields;
pub mod import;
mod input;
mod mask;
mod model;
pub mod normalize;
pub mod phone;
mod settings;

pub use input::{CustomerPatch, NewCustomer};
pub use mask::visible_customer;
pub use model::{Customer, CustomerKind, CustomerLevel, CustomerSource, DealStatus};
pub use settings::CustomerSettings;
