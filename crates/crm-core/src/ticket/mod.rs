//! Tickets (工单, §4.6): records, messages, routing.

mod model;
mod routing;

// The classes SLA policies match on live with the SLA rules (below tickets).
pub use crate::sla::{Channel, Priority, TicketStatus};
pub use model::{MessageAuthor, NewTicket, Satisfaction, Ticket, TicketMessage};
pub use routing::{least_loaded, RouteTarget, Routing, RoutingRule, TicketGroup, TicketSettings};
