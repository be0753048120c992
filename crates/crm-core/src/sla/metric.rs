//! The SLA clocks of one ticket, as a pure state machine: metrics start, pause, resume,
//! complete and reopen; a sweep at `now` fires warnings, breaches and escalations once each.
//! Every due instant is a pure function of (start, target, calendar, pauses), so it can be
//! recomputed after a calendar or policy edit.

use super::calendar::CompiledCalendar;
use super::deadline::{deadline, elapsed_business};
use super::policy::{Escalation, EscalationAction, WarningLead};
use crate::ids::{BusinessCalendarId, SlaPolicyId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// What a metric measures.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MetricKind {
    /// Until the first public agent reply.
    FirstResponse,
    /// From an unanswered customer message until the next public agent reply.
    NextResponse,
    /// Until resolution.
    Resolution,
}

/// One clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SlaMetric {
    /// What it measures.
    pub kind: MetricKind,
    /// When it started.
    pub started_at: DateTime<Utc>,
    /// Target in business seconds.
    pub target_secs: i64,
    /// Due instant (recomputed as pauses accrue).
    pub due_at: DateTime<Utc>,
    /// Business seconds spent paused (up to completion or the last update).
    pub paused_secs: i64,
    /// Business seconds the clock ran, pauses excluded (up to completion or the last
    /// update): what the metric took against `target_secs`.
    #[serde(default)]
    pub taken_secs: i64,
    /// When it was met (or the ticket resolved).
    pub completed_at: Option<DateTime<Utc>>,
    /// When it breached (the due instant it passed).
    pub breached_at: Option<DateTime<Utc>>,
    /// By how much, in business seconds, once completed late.
    pub breached_by_secs: Option<i64>,
    /// Met in time (known once completed).
    pub achieved: Option<bool>,
    /// Warning levels already fired.
    #[serde(default)]
    pub warnings_fired: Vec<usize>,
    /// Escalation levels already fired.
    #[serde(default)]
    pub escalations_fired: Vec<usize>,
    /// Why the clock stopped without being met, if it did (see [`MetricStop`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopped: Option<MetricStop>,
}

/// How a clock stopped other than by being met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MetricStop {
    /// The ticket was resolved or closed while a response clock still waited for a public
    /// agent reply: the clock stops, but it is neither met nor a response time.
    ClosedWithoutResponse,
}

impl MetricStop {
    /// The stable name (`closed_without_response`).
    pub fn as_str(self) -> &'static str {
        match self {
            MetricStop::ClosedWithoutResponse => "closed_without_response",
        }
    }
}

impl std::fmt::Display for MetricStop {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The SLA state of a ticket, with the policy parts it needs (snapshotted at start).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct TicketSla {
    /// Policy used.
    pub policy_id: SlaPolicyId,
    /// Its version.
    pub policy_version: i64,
    /// Calendar used.
    pub calendar_id: BusinessCalendarId,
    /// Its version.
    pub calendar_version: i64,
    /// Pause intervals; the last may be open.
    pub pauses: Vec<(DateTime<Utc>, Option<DateTime<Utc>>)>,
    /// The clocks.
    pub metrics: Vec<SlaMetric>,
    /// Warning levels.
    pub warnings: Vec<WarningLead>,
    /// Escalation levels.
    pub escalations: Vec<Escalation>,
    /// On reopen, time resolved/closed counts as paused.
    pub closed_counts_as_paused: bool,
    /// Next instant a sweep has something to do (indexed for the sweep query).
    pub next_check_at: Option<DateTime<Utc>>,
}

/// Something a sweep fired.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaFired {
    /// A warning level.
    Warning {
        /// Metric.
        metric: MetricKind,
        /// Level index.
        level: usize,
        /// Due instant.
        due_at: DateTime<Utc>,
    },
    /// A breach.
    Breach {
        /// Metric.
        metric: MetricKind,
        /// Due instant that passed.
        due_at: DateTime<Utc>,
    },
    /// An escalation level.
    Escalation {
        /// Metric.
        metric: MetricKind,
        /// Level index.
        level: usize,
        /// Action.
        action: EscalationAction,
    },
}

impl SlaMetric {
    fn new(
        kind: MetricKind,
        started_at: DateTime<Utc>,
        target_secs: i64,
        cal: &CompiledCalendar,
    ) -> Self {
        SlaMetric {
            kind,
            started_at,
            target_secs,
            due_at: deadline(started_at, target_secs, cal, &[]),
            paused_secs: 0,
            taken_secs: 0,
            completed_at: None,
            breached_at: None,
            breached_by_secs: None,
            achieved: None,
            warnings_fired: Vec::new(),
            escalations_fired: Vec::new(),
            stopped: None,
        }
    }

    /// Still running (not completed).
    pub fn is_open(&self) -> bool {
        self.completed_at.is_none()
    }
}

impl TicketSla {
    /// Starts first-response and resolution clocks (targets of 0 are not tracked).
    #[allow(clippy::too_many_arguments)]
    pub fn start(
        policy: (i64, i64),
        calendar: (i64, i64),
        first_response_secs: i64,
        resolution_secs: i64,
        warnings: Vec<WarningLead>,
        escalations: Vec<Escalation>,
        closed_counts_as_paused: bool,
        at: DateTime<Utc>,
        cal: &CompiledCalendar,
    ) -> Self {
        let mut metrics = Vec::new();
        if first_response_secs > 0 {
            metrics.push(SlaMetric::new(
                MetricKind::FirstResponse,
                at,
                first_response_secs,
                cal,
            ));
        }
        if resolution_secs > 0 {
            metrics.push(SlaMetric::new(
                MetricKind::Resolution,
                at,
                resolution_secs,
                cal,
            ));
        }
        let mut sla = TicketSla {
            policy_id: policy.0.into(),
            policy_version: policy.1,
            calendar_id: calendar.0.into(),
            calendar_version: calendar.1,
            pauses: Vec::new(),
            metrics,
            warnings,
            escalations,
            closed_counts_as_paused,
            next_check_at: None,
        };
        sla.refresh(at, cal);
        sla
    }

    /// True while a pause is open.
    pub fn is_paused(&self) -> bool {
        self.pauses.last().is_some_and(|p| p.1.is_none())
    }

    fn closed_pauses(&self, now: DateTime<Utc>) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        self.pauses
            .iter()
            .map(|(a, b)| (*a, b.unwrap_or(now).max(*a)))
            .collect()
    }

    /// Recomputes every open metric's due instant and paused time, and the next check.
    pub fn refresh(&mut self, now: DateTime<Utc>, cal: &CompiledCalendar) {
        let pauses = self.closed_pauses(now);
        for m in self.metrics.iter_mut() {
            let until = m.completed_at.unwrap_or(now);
            if m.is_open() {
                m.due_at = deadline(m.started_at, m.target_secs, cal, &pauses);
            }
            let running = elapsed_business(m.started_at, until, cal, &pauses);
            m.paused_secs = elapsed_business(m.started_at, until, cal, &[]) - running;
            m.taken_secs = running;
        }
        self.next_check_at = self.next_check(cal);
    }

    /// Opens a pause at `at` (no-op when already paused).
    pub fn pause(&mut self, at: DateTime<Utc>, cal: &CompiledCalendar) {
        if !self.is_paused() {
            self.pauses.push((at, None));
        }
        self.refresh(at, cal);
    }

    /// Closes the open pause at `at`.
    pub fn resume(&mut self, at: DateTime<Utc>, cal: &CompiledCalendar) {
        if let Some(last) = self.pauses.last_mut() {
            if last.1.is_none() {
                last.1 = Some(at.max(last.0));
            }
        }
        self.refresh(at, cal);
    }

    /// Completes the open metrics of `kind` at `at`.
    pub fn complete(&mut self, kind: MetricKind, at: DateTime<Utc>, cal: &CompiledCalendar) {
        self.refresh(at, cal);
        let pauses = self.closed_pauses(at);
        for m in self
            .metrics
            .iter_mut()
            .filter(|m| m.kind == kind && m.is_open())
        {
            m.completed_at = Some(at);
            let achieved = at <= m.due_at;
            m.achieved = Some(achieved);
            if !achieved {
                m.breached_at.get_or_insert(m.due_at);
                m.breached_by_secs = Some(elapsed_business(m.due_at, at, cal, &pauses));
            }
        }
        self.refresh(at, cal);
    }

    /// Resolving or closing at `at`: the resolution clock completes; response clocks still
    /// waiting for a reply stop as [`MetricStop::ClosedWithoutResponse`] with no `achieved`
    /// verdict. One already past due when closed keeps (or gets) its breach: the customer
    /// waited past the target without a reply.
    pub fn close(&mut self, at: DateTime<Utc>, cal: &CompiledCalendar) {
        self.refresh(at, cal);
        for m in self.metrics.iter_mut().filter(|m| {
            m.is_open() && matches!(m.kind, MetricKind::FirstResponse | MetricKind::NextResponse)
        }) {
            m.completed_at = Some(at);
            m.achieved = None;
            m.stopped = Some(MetricStop::ClosedWithoutResponse);
            if at > m.due_at {
                m.breached_at.get_or_insert(m.due_at);
            }
        }
        self.complete(MetricKind::Resolution, at, cal);
    }

    /// A customer message at `at`: starts a next-response clock unless one is running (or
    /// the first response is still awaited).
    pub fn customer_message(
        &mut self,
        at: DateTime<Utc>,
        next_response_secs: i64,
        cal: &CompiledCalendar,
    ) {
        let waiting = self.metrics.iter().any(|m| {
            m.is_open() && matches!(m.kind, MetricKind::FirstResponse | MetricKind::NextResponse)
        });
        if !waiting && next_response_secs > 0 {
            self.metrics.push(SlaMetric::new(
                MetricKind::NextResponse,
                at,
                next_response_secs,
                cal,
            ));
        }
        self.refresh(at, cal);
    }

    /// Reopening at `now` a ticket resolved at `resolved_at`: the resolution clock runs
    /// again; the time in between counts as paused when the policy says so.
    pub fn reopen(
        &mut self,
        resolved_at: DateTime<Utc>,
        now: DateTime<Utc>,
        cal: &CompiledCalendar,
    ) {
        if self.closed_counts_as_paused && now > resolved_at {
            self.pauses.push((resolved_at, Some(now)));
        }
        if let Some(m) = self
            .metrics
            .iter_mut()
            .rev()
            .find(|m| m.kind == MetricKind::Resolution)
        {
            m.completed_at = None;
            m.achieved = None;
            m.breached_by_secs = None;
        }
        // A response clock stopped by the close still waits for its reply.
        for m in self.metrics.iter_mut().filter(|m| m.stopped.is_some()) {
            m.completed_at = None;
            m.stopped = None;
        }
        self.refresh(now, cal);
    }

    fn warn_at(
        &self,
        m: &SlaMetric,
        lead: WarningLead,
        cal: &CompiledCalendar,
        now: DateTime<Utc>,
    ) -> DateTime<Utc> {
        let budget = m.target_secs - lead.seconds(m.target_secs);
        deadline(m.started_at, budget, cal, &self.closed_pauses(now))
    }

    /// Fires, at `now`, every warning, breach and escalation that is due and has not fired.
    /// Nothing fires while paused.
    pub fn sweep(&mut self, now: DateTime<Utc>, cal: &CompiledCalendar) -> Vec<SlaFired> {
        self.refresh(now, cal);
        let mut fired = Vec::new();
        if self.is_paused() {
            return fired;
        }
        for i in 0..self.metrics.len() {
            let m = self.metrics[i].clone();
            if !m.is_open() {
                continue;
            }
            for (level, lead) in self.warnings.clone().into_iter().enumerate() {
                if m.warnings_fired.contains(&level) {
                    continue;
                }
                let at = self.warn_at(&m, lead, cal, now);
                if now >= at {
                    self.metrics[i].warnings_fired.push(level);
                    if now < m.due_at {
                        fired.push(SlaFired::Warning {
                            metric: m.kind,
                            level,
                            due_at: m.due_at,
                        });
                    }
                }
            }
            if m.breached_at.is_none() && now >= m.due_at {
                self.metrics[i].breached_at = Some(m.due_at);
                fired.push(SlaFired::Breach {
                    metric: m.kind,
                    due_at: m.due_at,
                });
            }
            if let Some(breached) = self.metrics[i].breached_at {
                for (level, esc) in self.escalations.clone().into_iter().enumerate() {
                    if !self.metrics[i].escalations_fired.contains(&level)
                        && now >= cal.add_business(breached, esc.after_secs)
                    {
                        self.metrics[i].escalations_fired.push(level);
                        fired.push(SlaFired::Escalation {
                            metric: m.kind,
                            level,
                            action: esc.action,
                        });
                    }
                }
            }
        }
        self.next_check_at = self.next_check(cal);
        fired
    }

    /// The next instant a sweep would fire something; `None` while paused or when nothing
    /// is pending.
    pub fn next_check(&self, cal: &CompiledCalendar) -> Option<DateTime<Utc>> {
        if self.is_paused() {
            return None;
        }
        let now_free = self
            .metrics
            .iter()
            .map(|m| m.started_at)
            .max()
            .unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut next: Option<DateTime<Utc>> = None;
        let mut consider = |t: DateTime<Utc>| next = Some(next.map_or(t, |n| n.min(t)));
        for m in self.metrics.iter().filter(|m| m.is_open()) {
            for (level, lead) in self.warnings.iter().enumerate() {
                if !m.warnings_fired.contains(&level) {
                    consider(self.warn_at(m, *lead, cal, now_free));
                }
            }
            match m.breached_at {
                None => consider(m.due_at),
                Some(b) => {
                    for (level, esc) in self.escalations.iter().enumerate() {
                        if !m.escalations_fired.contains(&level) {
                            consider(cal.add_business(b, esc.after_secs));
                        }
                    }
                }
            }
        }
        next
    }

    /// The metric of a kind most recently started.
    pub fn latest(&self, kind: MetricKind) -> Option<&SlaMetric> {
        self.metrics.iter().rev().find(|m| m.kind == kind)
    }
}

/// What to show for a ticket's SLA, by precedence: breached > paused > first response due >
/// resolution due > closed without response > achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SlaDisplay {
    /// Some running metric has breached (or a completed one was late).
    Breached,
    /// The clocks are paused.
    Paused,
    /// Waiting for the first (or next) response.
    FirstResponseDue,
    /// Waiting for resolution.
    ResolutionDue,
    /// Every clock stopped, none breached, but a response clock stopped because the ticket
    /// was closed without a reply.
    ClosedWithoutResponse,
    /// Everything met.
    Achieved,
}

/// The display status of an SLA at `now`.
pub fn display(sla: &TicketSla, now: DateTime<Utc>) -> SlaDisplay {
    if sla
        .metrics
        .iter()
        .any(|m| m.breached_at.is_some() || (m.is_open() && now >= m.due_at && !sla.is_paused()))
    {
        SlaDisplay::Breached
    } else if sla.is_paused() {
        SlaDisplay::Paused
    } else if sla
        .metrics
        .iter()
        .any(|m| m.is_open() && m.kind != MetricKind::Resolution)
    {
        SlaDisplay::FirstResponseDue
    } else if sla.metrics.iter().any(|m| m.is_open()) {
        SlaDisplay::ResolutionDue
    } else if sla.metrics.iter().any(|m| m.stopped.is_some()) {
        SlaDisplay::ClosedWithoutResponse
    } else {
        SlaDisplay::Achieved
    }
}
