//! Credit records (业绩记录, DESIGN §4.10): achievement comes from events, not from today's
//! ownership. Each event that earns a metric writes one record per credited user with the
//! share and amount fixed at that moment; a later transfer of the customer moves nothing.
//! Refunds and terminations are negative credit in the period they happen.

pub mod model;
pub mod split;

pub use model::{Credit, CreditSource};
pub use split::{CreditShare, CreditSplit};
