-- Calendar events (日历, ADR 0024). Same conventions as 0001: STRICT tables, Time as INTEGER
-- microseconds. `span_start`/`span_end` bound the instants an event's occurrences reach
-- (span_end NULL: a series without end), for finding the events of a range; the series and
-- its exceptions are in body. `calendar_attendees` has one row per event and attendee, for
-- "the events a user attends".

CREATE TABLE calendar_events (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    owner_id INTEGER,
    span_start INTEGER,
    span_end INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE INDEX calendar_events_owner ON calendar_events (tenant_id, owner_id, id);
CREATE INDEX calendar_events_span_start ON calendar_events (tenant_id, span_start, id);

CREATE TABLE calendar_attendees (
    tenant_id INTEGER NOT NULL,
    id INTEGER NOT NULL,
    version INTEGER NOT NULL,
    event_id INTEGER,
    user_id INTEGER,
    body TEXT NOT NULL,
    PRIMARY KEY (tenant_id, id)
) STRICT;
CREATE UNIQUE INDEX calendar_attendees_event_user_key ON calendar_attendees (tenant_id, event_id, user_id);
CREATE INDEX calendar_attendees_user ON calendar_attendees (tenant_id, user_id, id);
