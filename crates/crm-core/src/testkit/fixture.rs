//! A ready-made org in two tenants, for the conformance suite and unit tests.
//!
//! Tenant 1: departments Sales (1) ⊃ Sales East (2), and Service (3).
//! Users: 10 boss (Sales, manager role), 11 east manager (Sales East, reports to 10,
//! manager role), 12 and 13 reps (Sales East, report to 11, sales role), 14 customer service
//! (Service, service role), 15 tenant admin (no roles), 16 department viewer (Sales,
//! `department` scope), 17 department-tree viewer (Sales, `department_tree` scope),
//! 18 finance (Service, finance role), 19 nobody (no roles).
//! Tenant 2: user 10 (the same host id, another person) with `all` scope.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module, Role};
use crate::actor::Actor;
use crate::clock::FixedClock;
use crate::ids::{DepartmentId, RoleId, TenantId, UserId};
use crate::service::{Crm, DepartmentInput, RoleInput, UserInput};
use crate::store::Store;
use crate::tenant::TenantSettings;
use chrono::{DateTime, TimeZone, Utc};
use std::sync::Arc;

/// Tenant 1.
pub const T1: TenantId = TenantId(1);
/// Tenant 2.
pub const T2: TenantId = TenantId(2);
/// Boss of Sales.
pub const BOSS: UserId = UserId(10);
/// Manager of Sales East.
pub const MANAGER: UserId = UserId(11);
/// A rep in Sales East.
pub const REP: UserId = UserId(12);
/// Another rep in Sales East.
pub const REP2: UserId = UserId(13);
/// Customer service.
pub const SERVICE: UserId = UserId(14);
/// Tenant admin.
pub const ADMIN: UserId = UserId(15);
/// Department-scope viewer in Sales.
pub const DEPT_VIEWER: UserId = UserId(16);
/// Department-tree viewer in Sales.
pub const TREE_VIEWER: UserId = UserId(17);
/// Finance.
pub const FINANCE: UserId = UserId(18);
/// A user without roles.
pub const NOBODY: UserId = UserId(19);
/// Sales department.
pub const SALES: DepartmentId = DepartmentId(1);
/// Sales East department.
pub const SALES_EAST: DepartmentId = DepartmentId(2);
/// Service department.
pub const SERVICE_DEPT: DepartmentId = DepartmentId(3);

/// The fixed start time of fixtures: Monday 2026-03-02 10:00 in Shanghai.
pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 2, 2, 0, 0)
        .single()
        .unwrap_or_default()
}

/// Actor helper for tenant 1.
pub fn user(u: UserId) -> Actor {
    Actor::user(T1, u)
}

/// An engine over `store` with its fixed clock and the org set up.
pub struct Fixture<S: Store> {
    /// The engine.
    pub crm: Crm<S>,
    /// Its clock.
    pub clock: Arc<FixedClock>,
    /// Role ids in tenant 1 by name.
    pub roles: std::collections::BTreeMap<&'static str, RoleId>,
}

fn grants(module: Module, actions: &[Action], scope: DataScope) -> Vec<Grant> {
    actions
        .iter()
        .map(|&action| Grant {
            module,
            action,
            scope,
        })
        .collect()
}

fn sales_grants(scope: DataScope) -> Vec<Grant> {
    use Action::*;
    let mut g = grants(
        Module::Customers,
        &[Create, Read, Update, Import, Transfer],
        scope,
    );
    g.extend(grants(Module::Contacts, &[Create, Read, Update], scope));
    g.extend(grants(Module::FollowUps, &[Create, Read], scope));
    g.extend(grants(Module::Leads, &[Create, Read, Update], scope));
    g.extend(grants(Module::Visits, &[Create, Read, Update], scope));
    g
}

fn role_inputs() -> Vec<(&'static str, RoleInput)> {
    use Action::*;
    let rule = |module, field: &str, access, mask| FieldRule {
        module,
        field: field.into(),
        access,
        mask,
    };
    vec![
        (
            "sales",
            RoleInput {
                name: "sales".into(),
                grants: sales_grants(DataScope::SelfOnly),
                fields: vec![],
            },
        ),
        (
            "manager",
            RoleInput {
                name: "manager".into(),
                grants: sales_grants(DataScope::SelfAndSubordinates),
                fields: vec![],
            },
        ),
        (
            "service",
            RoleInput {
                name: "service".into(),
                grants: [
                    grants(Module::Customers, &[Read], DataScope::All),
                    grants(Module::Contacts, &[Read], DataScope::All),
                    grants(Module::Tickets, &[Create, Read, Update], DataScope::All),
                    grants(Module::Leads, &[Read, Update], DataScope::All),
                ]
                .concat(),
                fields: vec![
                    rule(
                        Module::Leads,
                        "phone",
                        FieldAccess::ReadOnly,
                        MaskMode::Everywhere,
                    ),
                    rule(
                        Module::Leads,
                        "estimated_amount",
                        FieldAccess::Hidden,
                        MaskMode::None,
                    ),
                    rule(
                        Module::Customers,
                        "phone",
                        FieldAccess::ReadOnly,
                        MaskMode::Everywhere,
                    ),
                    rule(
                        Module::Customers,
                        "email",
                        FieldAccess::Hidden,
                        MaskMode::None,
                    ),
                    rule(
                        Module::Customers,
                        "custom.budget",
                        FieldAccess::Hidden,
                        MaskMode::None,
                    ),
                    rule(
                        Module::Contracts,
                        "total",
                        FieldAccess::Hidden,
                        MaskMode::None,
                    ),
                ],
            },
        ),
        (
            "dept",
            RoleInput {
                name: "dept".into(),
                grants: grants(Module::Customers, &[Read], DataScope::Department),
                fields: vec![],
            },
        ),
        (
            "tree",
            RoleInput {
                name: "tree".into(),
                grants: grants(Module::Customers, &[Read], DataScope::DepartmentTree),
                fields: vec![],
            },
        ),
        (
            "finance",
            RoleInput {
                name: "finance".into(),
                grants: [
                    grants(Module::Customers, &[Read], DataScope::All),
                    grants(Module::FollowUps, &[Read], DataScope::All),
                    grants(Module::Contracts, &[Read], DataScope::All),
                    grants(Module::Receivables, &[Read], DataScope::All),
                ]
                .concat(),
                fields: vec![rule(
                    Module::FollowUps,
                    "content",
                    FieldAccess::Hidden,
                    MaskMode::None,
                )],
            },
        ),
        (
            "all",
            RoleInput {
                name: "all".into(),
                grants: [
                    sales_grants(DataScope::All),
                    grants(Module::Customers, &[Delete], DataScope::All),
                ]
                .concat(),
                fields: vec![],
            },
        ),
    ]
}

impl<S: Store> Fixture<S> {
    /// Sets up both tenants on `store`. Panics on failure (test support).
    pub async fn new(store: S) -> Self {
        let clock = Arc::new(FixedClock::new(start()));
        let crm = Crm::new(store, clock.clone());
        let mut roles = std::collections::BTreeMap::new();
        for tenant in [T1, T2] {
            let sys = Actor::system(tenant);
            crm.setup_tenant(
                sys,
                &format!("tenant {}", tenant.0),
                TenantSettings::default(),
            )
            .await
            .expect("tenant");
            for (name, input) in role_inputs() {
                let role: Role = crm.create_role(sys, input).await.expect("role");
                if tenant == T1 {
                    roles.insert(name, role.id);
                }
            }
        }
        for (id, name, parent) in [
            (SALES, "Sales", None),
            (SALES_EAST, "Sales East", Some(SALES)),
            (SERVICE_DEPT, "Service", None),
        ] {
            crm.upsert_department(
                Actor::system(T1),
                DepartmentInput {
                    id,
                    name: name.into(),
                    parent_id: parent,
                },
            )
            .await
            .expect("department");
        }
        let r = |n: &str| roles.get(n).copied().into_iter().collect::<Vec<_>>();
        let users = [
            (BOSS, "Boss", Some(SALES), None, r("manager"), false),
            (
                MANAGER,
                "East Manager",
                Some(SALES_EAST),
                Some(BOSS),
                r("manager"),
                false,
            ),
            (
                REP,
                "Rep Li",
                Some(SALES_EAST),
                Some(MANAGER),
                r("sales"),
                false,
            ),
            (
                REP2,
                "Rep Wang",
                Some(SALES_EAST),
                Some(MANAGER),
                r("sales"),
                false,
            ),
            (
                SERVICE,
                "Service Zhao",
                Some(SERVICE_DEPT),
                None,
                r("service"),
                false,
            ),
            (ADMIN, "Admin", None, None, vec![], true),
            (
                DEPT_VIEWER,
                "Dept Viewer",
                Some(SALES),
                None,
                r("dept"),
                false,
            ),
            (
                TREE_VIEWER,
                "Tree Viewer",
                Some(SALES),
                None,
                r("tree"),
                false,
            ),
            (
                FINANCE,
                "Finance Qian",
                Some(SERVICE_DEPT),
                None,
                r("finance"),
                false,
            ),
            (NOBODY, "Nobody", Some(SALES), None, vec![], false),
        ];
        for (id, name, dept, sup, role_ids, admin) in users {
            crm.upsert_user(
                Actor::system(T1),
                UserInput {
                    id,
                    name: name.into(),
                    department_id: dept,
                    supervisor_id: sup,
                    role_ids,
                    tenant_admin: admin,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await
            .expect("user");
        }
        let t2_all = crm
            .list_roles(Actor::system(T2))
            .await
            .expect("roles")
            .into_iter()
            .find(|r| r.name == "all")
            .map(|r| r.id);
        crm.upsert_user(
            Actor::system(T2),
            UserInput {
                id: BOSS,
                name: "Other Tenant Boss".into(),
                department_id: None,
                supervisor_id: None,
                role_ids: t2_all.into_iter().collect(),
                tenant_admin: true,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("t2 user");
        Fixture { crm, clock, roles }
    }
}

impl<S: Store> Fixture<S> {
    /// Sets tenant 1's held limits and creates a default pool whose members are the Sales
    /// department tree (boss, east manager, both reps, viewers) and whose admin is the east
    /// manager.
    pub async fn pool(
        &self,
        rules: crate::pool::PoolRules,
        limits: crate::pool::HeldLimits,
    ) -> crate::ids::PoolId {
        let sys = Actor::system(T1);
        let tenant = self.crm.get_tenant(sys).await.expect("tenant");
        let settings = TenantSettings {
            held_limits: limits,
            ..tenant.settings
        };
        self.crm
            .setup_tenant(sys, &tenant.name, settings)
            .await
            .expect("settings");
        let input = crate::pool::PoolInput {
            name: "公海".into(),
            position: 0,
            is_default: true,
            enabled: true,
            admins: crate::pool::Members {
                users: vec![MANAGER],
                departments: vec![],
            },
            members: crate::pool::Members {
                users: vec![],
                departments: vec![SALES],
            },
            rules,
            field_rules: vec![crate::pool::PoolFieldRule {
                field: "phone".into(),
                mode: crate::pool::PoolFieldMode::Masked,
            }],
        };
        self.crm.create_pool(sys, input).await.expect("pool").id
    }

    /// Creates `n` customers in `pool` (names `pooled 0..n`, distinct phones).
    pub async fn fill(&self, pool: crate::ids::PoolId, n: usize) -> Vec<crate::ids::CustomerId> {
        let mut out = Vec::with_capacity(n);
        for i in 0..n {
            let input = crate::customer::NewCustomer {
                name: format!("pooled {i}"),
                phone: Some(format!("1590000{i:04}")),
                pool_id: Some(pool),
                ..Default::default()
            };
            out.push(
                self.crm
                    .create_customer(Actor::system(T1), input)
                    .await
                    .expect("pooled customer")
                    .record
                    .id,
            );
        }
        out
    }
}

impl<S: Store> Fixture<S> {
    /// A UTC calendar Monday–Friday 10:00–18:00 and a default SLA policy with `targets` for
    /// every priority, a 15-minute warning and `escalations`; returns the policy id.
    pub async fn sla(
        &self,
        targets: crate::sla::Targets,
        escalations: Vec<crate::sla::Escalation>,
    ) -> crate::ids::SlaPolicyId {
        let sys = Actor::system(T1);
        let calendar = crate::sla::Calendar::new("UTC").with_weekdays(&[("10:00", "18:00")]);
        let cal = self
            .crm
            .save_calendar(sys, None, "S", calendar)
            .await
            .expect("calendar");
        let policy = crate::sla::SlaPolicy {
            tenant: T1,
            id: crate::ids::SlaPolicyId(0),
            version: 0,
            name: "default".into(),
            position: 100,
            is_default: true,
            when: Default::default(),
            calendar_id: cal.id,
            targets: crate::sla::PriorityTargets {
                low: targets,
                normal: targets,
                high: targets,
                urgent: targets,
            },
            paused_statuses: vec![
                crate::ticket::TicketStatus::WaitingOnCustomer,
                crate::ticket::TicketStatus::OnHold,
            ],
            closed_counts_as_paused: true,
            warnings: vec![crate::sla::WarningLead::Minutes { minutes: 15 }],
            escalations,
        };
        self.crm
            .save_sla_policy(sys, policy)
            .await
            .expect("policy")
            .id
    }
}
