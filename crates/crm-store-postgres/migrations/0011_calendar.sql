-- Calendar events (日历, ADR 0024). Same conventions as 0001. `span_start`/`span_end` bound
-- the instants an event's occurrences reach (span_end NULL: a series without end), for
-- finding the events of a range; the series and its exceptions are in body.
-- `calendar_attendees` has one row per event and attendee, for "the events a user attends".

CREATE TABLE "calendar_events" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "owner_id" BIGINT,
    "span_start" TIMESTAMPTZ,
    "span_end" TIMESTAMPTZ,
    "body" JSONB NOT NULL,
    CONSTRAINT "calendar_events_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE INDEX "calendar_events_owner_idx" ON "calendar_events" ("tenant_id", "owner_id", "id");
CREATE INDEX "calendar_events_span_start_idx" ON "calendar_events" ("tenant_id", "span_start", "id");

CREATE TABLE "calendar_attendees" (
    "tenant_id" BIGINT NOT NULL,
    "id" BIGINT NOT NULL,
    "version" BIGINT NOT NULL,
    "event_id" BIGINT,
    "user_id" BIGINT,
    "body" JSONB NOT NULL,
    CONSTRAINT "calendar_attendees_pkey" PRIMARY KEY ("tenant_id", "id")
);
CREATE UNIQUE INDEX "calendar_attendees_event_user_key" ON "calendar_attendees" ("tenant_id", "event_id", "user_id");
CREATE INDEX "calendar_attendees_user_idx" ON "calendar_attendees" ("tenant_id", "user_id", "id");
