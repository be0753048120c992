//! `events.*`: the event outbox, read back.

use super::{facet, operation};
use crate::store::Event;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

facet!(
    /// The event outbox: what happened, in order, for hosts that follow it.
    events -> EventOps {
        after: EventsAfter,
    }
);

/// Page size when a request gives no `limit`.
const DEFAULT_LIMIT: u32 = 100;

fn default_limit() -> u32 {
    DEFAULT_LIMIT
}

/// Events of the actor's tenant after a cursor.
#[derive(Debug, Clone, Default, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventsAfter {
    /// The last `seq` already seen (default 0: from the start).
    #[serde(default)]
    pub cursor: i64,
    /// Page size, 1..=1000 (default 100).
    #[serde(default = "default_limit")]
    pub limit: u32,
}

operation!(EventsAfter, "events.after", Settings, Read, Vec<Event>,
    "Events of the actor's tenant after a cursor (seq), oldest first (tenant admin or system actor); same as crm_events_after.",
    |crm, actor, r| crm.events_after(actor, r.cursor, r.limit));
