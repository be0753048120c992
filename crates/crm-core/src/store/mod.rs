//! Storage contract: the row shape, the unit of work, the query model and the [`Store`]
//! trait that the memory, SQLite and PostgreSQL adapters implement.

pub mod audit;
pub mod changes;
pub mod check;
pub mod event;
pub mod predicate;
pub mod query;
pub mod row;
pub mod schema;
pub mod traits;

pub use audit::{AuditEntry, FieldChange};
pub use changes::{Changes, Write};
pub use check::{ValidChanges, ValidQuery};
pub use event::{Event, EventKind, NewEvent};
pub use predicate::{Predicate, SubSelect, ID};
pub use query::{Filter, Op, Order, Query, ScopeFilter};
pub use row::{
    ColumnSpec, ColumnType, Entity, Record, ScopeVia, SqlValue, StoredRow, TableSpec, UniqueKey,
};
pub use traits::{Store, StoreExt};
