//! Tickets (工单, §4.6): records, messages, routing.

mod model;
mod routing;

pub use model::{
    Channel, MessageAuthor, NewTicket, Priority, Satisfaction, Ticket, TicketMessage, TicketStatus,
};
pub use routing::{least_loaded, RouteTarget, RoutingRule, TicketGroup, TicketSettings};
