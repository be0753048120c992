//! The store conformance suite. Every store invokes
//! [`crm_store_conformance_tests!`](crate::crm_store_conformance_tests) with a factory; the
//! macro expands to one `#[tokio::test]` per case below, each on a fresh store.
//!
//! ```ignore
//! async fn make_store() -> MyStore { MyStore::open_fresh().await }
//! async fn drop_store(store: MyStore) { store.destroy().await }
//! crm_core::crm_store_conformance_tests!(make_store);              // nothing to clean up
//! crm_core::crm_store_conformance_tests!(make_store, drop_store);  // with teardown
//! ```
//! The invoking crate needs `tokio` (with `macros` and `rt-multi-thread`) as a
//! dev-dependency. Each case receives the store in an `Arc`; the teardown runs when the
//! case passed.

mod access_cache;
mod agenda;
mod amounts;
mod apply;
mod assignment;
mod attribution;
mod calendar;
mod campaign_support;
mod campaign_touches;
mod campaigns;
mod commission;
mod contention;
mod credits;
mod field_rules;
mod lead_conversion;
mod lead_custom;
mod lead_first_contact;
mod lead_followups;
mod lead_import;
mod lead_import_access;
pub(crate) mod lead_pools;
mod lead_report;
mod leads;
mod logs;
mod phones;
mod pools;
mod predicates;
mod queries;
mod random_predicates;
mod refused_filters;
mod refused_rows;
mod rows;
mod scope;
mod segment_support;
mod segment_windows;
mod segments;
mod service;
mod tag_support;
mod tags;
mod target_scope;
mod target_support;
mod targets;
mod tasks;
mod text_input;
mod ticket_close;
mod tickets;
mod visit_flags;
mod visit_races;
mod visit_rules;
mod visit_scope;
mod visit_support;

pub use access_cache::*;
pub use agenda::*;
pub use amounts::*;
pub use apply::*;
pub use assignment::*;
pub use attribution::*;
pub use calendar::*;
pub use campaign_touches::*;
pub use campaigns::*;
pub use commission::*;
pub use contention::*;
pub use credits::*;
pub use field_rules::*;
pub use lead_conversion::*;
pub use lead_custom::*;
pub use lead_first_contact::*;
pub use lead_followups::*;
pub use lead_import::{lead_import_reads_gbk_and_xlsx, lead_import_reports_each_row};
pub use lead_import_access::*;
pub use lead_pools::*;
pub use lead_report::*;
pub use leads::*;
pub use logs::*;
pub use phones::*;
pub use pools::*;
pub use predicates::*;
pub use queries::*;
pub use random_predicates::*;
pub use refused_filters::*;
pub use refused_rows::*;
pub use rows::*;
pub use scope::*;
pub use segment_windows::*;
pub use segments::*;
pub use service::*;
pub use tags::*;
pub use target_scope::*;
pub use targets::*;
pub use tasks::*;
pub use text_input::*;
pub use ticket_close::*;
pub use tickets::*;
pub use visit_flags::*;
pub use visit_races::*;
pub use visit_rules::*;
pub use visit_scope::*;

/// Teardown that does nothing (stores that leave nothing behind).
pub async fn keep<S>(_store: S) {}

/// Expands to the whole conformance suite over a store factory (see the module docs).
#[macro_export]
macro_rules! crm_store_conformance_tests {
    ($make:path) => {
        $crate::crm_store_conformance_tests!($make, $crate::testkit::conformance::keep);
    };
    ($make:path, $teardown:path) => {
        $crate::__crm_conformance_cases!($make, $teardown;
            rows_round_trip_every_column_type,
            get_is_confined_to_the_tenant,
            allocated_ids_are_fresh,
            filters_follow_sql_semantics,
            unknown_columns_are_refused,
            mistyped_filters_are_refused_alike,
            out_of_range_filters_are_refused_alike,
            mistyped_and_out_of_range_rows_are_refused_alike,
            bad_audit_entries_and_events_are_refused_alike,
            keyset_paging_is_exact,
            customer_scope_is_pushed_down,
            child_scope_follows_the_customer,
            scope_on_unscoped_table_is_an_error,
            random_scopes_never_leak,
            predicate_trees_follow_sql_semantics,
            predicate_sub_selects_stay_in_the_tenant,
            bad_predicate_trees_are_refused_alike,
            random_predicate_trees_match_the_memory_store,
            stale_versions_conflict_and_write_nothing,
            unique_keys_conflict,
            missing_references_are_not_found,
            concurrent_writers_one_winner,
            foreign_tenant_rows_are_refused,
            event_sequences_are_per_tenant,
            concurrent_events_have_gapless_sequences,
            audit_reads_back,
            service_customer_lifecycle,
            service_import_reports_each_row,
            service_followups_agenda_and_escalation,
            service_bad_input_writes_nothing,
            service_nul_in_any_text_is_refused,
            service_huge_text_gives_a_short_error,
            service_phones_in_the_tenants_region,
            service_team_sharing,
            leads_follow_owner_scope_and_field_rules,
            lead_status_flow_is_enforced,
            lead_duplicates_fold_into_the_open_original,
            assignment_round_robin_follows_the_stored_cursor,
            assignment_caps_capacity_overflow_and_override,
            assignment_bad_input_writes_nothing,
            lead_conversion_creates_or_links_once,
            lead_conversion_refusals_write_nothing,
            concurrent_conversions_make_one_customer,
            lead_merge_follows_the_winner_rule,
            lead_followups_move_on_conversion_and_merge,
            lead_report_counts_rates_and_business_medians,
            lead_custom_fields_are_typed_ruled_and_routable,
            lead_followups_follow_the_lead_scope,
            lead_first_contact_fires_once_on_each_boundary,
            lead_first_contact_crosses_weekend_and_holiday,
            lead_first_contact_sweeps_past_one_batch,
            lead_first_contact_counts_conversion_as_contact,
            lead_claims_follow_the_pool_rules,
            overflow_leads_are_claimed_from_the_lead_pool,
            lead_recycle_fires_after_the_boundary_day,
            concurrent_lead_claims_respect_the_held_limit,
            lead_import_reports_each_row,
            lead_import_reads_gbk_and_xlsx,
            lead_import_by_rules_takes_turns,
            lead_import_permissions_and_field_rules,
            service_customer_360,
            concurrent_claims_respect_the_held_limit,
            due_work_twice_at_one_instant_does_nothing_more,
            concurrent_sweepers_do_each_thing_once,
            tickets_scope_and_sla_fire_once,
            tickets_closed_without_response,
            access_changes_reach_other_engines,
            hot_customer_writers_succeed,
            field_rules_apply_to_audit_and_events,
            field_rules_apply_to_sales_records_and_reports,
            filters_on_unreadable_fields_are_refused,
            owners_and_scope_come_before_rules,
            service_amounts_keep_scale_and_limits,
            agenda_merges_sources_in_scope_and_order,
            tasks_bucket_in_the_owners_zone,
            task_lists_sort_overdue_first_then_due_then_priority,
            task_reminders_fire_once_at_their_instant,
            task_reminders_catch_up_once_after_a_gap,
            stage_templates_create_tasks_once_per_open_copy,
            stage_templates_refuse_bad_input,
            task_scope_covers_owners_and_collaborators,
            task_bad_input_is_refused_by_name,
            task_report_counts_completion_and_overdue,
            tasks_follow_converted_leads,
            tasks_follow_merged_leads,
            calendar_events_follow_scope_and_attendees,
            calendar_series_expand_and_change,
            calendar_bad_input_writes_nothing,
            visits_measure_flag_and_keep,
            concurrent_check_ins_record_one,
            visit_check_ins_follow_their_rules,
            visits_follow_scope_field_rules_and_report,
            credits_are_fixed_at_their_events,
            achievement_reads_credits_in_scope,
            commission_plans_refuse_bad_input_by_field,
            commission_statements_compute_approve_and_stay,
            targets_are_declared_by_annual_or_months,
            targets_are_approved_never_by_oneself,
            targets_follow_the_read_scope,
            target_coverage_warns_and_can_refuse,
            target_fiscal_calendar_is_fixed_once_approved,
            campaigns_form_a_checked_hierarchy,
            campaign_costs_are_exact_per_currency,
            campaign_members_follow_the_read_scope,
            campaign_touches_are_checked_and_idempotent,
            campaign_touches_follow_the_read_scope,
            campaign_reach_names_its_denominators,
            attribution_is_stored_when_won_and_read_in_scope,
            campaign_members_come_from_a_segment,
            contracts_and_converted_leads_are_attributed,
            tags_follow_calendar_months_and_orders,
            rule_tag_removal_is_sticky,
            manual_tags_apply_remove_and_retire,
            tag_customers_follow_the_read_scope,
            tag_bad_input_writes_nothing,
            segment_overrides_survive_evaluation_and_exclusion_wins,
            segments_of_segments_follow_dependency_order,
            segment_cycles_and_bad_input_are_refused,
            segment_reads_follow_the_scope,
            segments_are_evaluated_once_a_day,
            segment_members_leave_when_they_stop_matching,
            segment_windows_turn_at_the_local_monday_midnight,
            segments_read_tags_through_the_audience_facts,
            concurrent_touches_and_costs_stay_exact,
        );
    };
}

/// Implementation detail of [`crm_store_conformance_tests!`].
#[doc(hidden)]
#[macro_export]
macro_rules! __crm_conformance_cases {
    ($make:path, $teardown:path; $($case:ident),* $(,)?) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $case() {
                let store = ::std::sync::Arc::new($make().await);
                $crate::testkit::conformance::$case(store.clone()).await;
                if let Ok(store) = ::std::sync::Arc::try_unwrap(store) {
                    $teardown(store).await;
                }
            }
        )*
    };
}
