//! Deterministic data: the org (through the engine), then bulk rows (customers, held
//! counters, tickets) written through the store's own `apply` in large units of work.
//!
//! Everything is derived from a seed with splitmix64, so two databases seeded alike hold
//! the same rows with the same ids.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use crm_core::access::{Action, DataScope, Grant, Module};
use crm_core::customer::Customer;
use crm_core::ids::{CustomerId, DepartmentId, PoolId, RoleId, TenantId, UserId};
use crm_core::pool::{
    HeldCounter, HeldLimits, LevelLimits, Members, PoolInput, PoolRules, RecycleKind, RecycleRule,
};
use crm_core::service::{DepartmentInput, RoleInput, UserInput};
use crm_core::sla::{Calendar, PriorityTargets, SlaPolicy, Targets, WarningLead};
use crm_core::store::{Changes, Entity, Store};
use crm_core::tenant::TenantSettings;
use crm_core::ticket::{Channel, NewTicket, Priority, Ticket, TicketStatus};
use crm_core::{Actor, Crm, CrmResult, FixedClock};
use std::sync::Arc;

/// The benchmark tenant (the testkit's tenant 1, so its invariant checks apply).
pub const TENANT: TenantId = crm_core::testkit::fixture::T1;

/// Users per department.
pub const USERS_PER_DEPARTMENT: usize = 10;

/// First user id.
pub const FIRST_USER: i64 = 100;

/// Rows per seeding unit of work.
const SEED_CHUNK: usize = 5_000;

/// How big a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Size {
    /// Deterministic seed.
    pub seed: u64,
    /// Departments (users are 10 per department).
    pub departments: usize,
    /// All customers (owned ones plus `pooled`).
    pub customers: usize,
    /// Customers sitting in the pool.
    pub pooled: usize,
    /// Open tickets.
    pub tickets: usize,
    /// CSV rows imported.
    pub import_rows: usize,
    /// Held limit per claimer in the claim scenario.
    pub claim_limit: u32,
    /// Timed repetitions of read scenarios.
    pub samples: usize,
}

impl Size {
    /// DESIGN §7's size: 1,000,000 customers, 200 users in 20 departments, 100,000 pooled,
    /// 100,000 open tickets, a 100,000-row CSV.
    pub fn full(seed: u64) -> Self {
        Self {
            seed,
            departments: 20,
            customers: 1_000_000,
            pooled: 100_000,
            tickets: 100_000,
            import_rows: 100_000,
            claim_limit: 250,
            samples: 200,
        }
    }

    /// A size for the CI smoke run (seconds, not minutes).
    pub fn tiny(seed: u64) -> Self {
        Self {
            seed,
            departments: 4,
            customers: 2_000,
            pooled: 400,
            tickets: 200,
            import_rows: 300,
            claim_limit: 15,
            samples: 5,
        }
    }

    /// Users of the tenant.
    pub fn users(&self) -> usize {
        self.departments * USERS_PER_DEPARTMENT
    }

    /// Top-level departments (regions); the others hang under them.
    pub fn regions(&self) -> usize {
        (self.departments / 5).max(1)
    }
}

/// splitmix64: the deterministic source of every generated value.
pub fn mix(seed: u64, i: u64) -> u64 {
    let mut z = seed ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The fixed "now" of every scenario: Monday 2026-03-02 10:00 in Shanghai.
pub fn now() -> DateTime<Utc> {
    crm_core::testkit::fixture::start()
}

/// What the org setup produced.
#[derive(Debug, Clone)]
pub struct World {
    /// The size it was made for.
    pub size: Size,
    /// The default pool.
    pub pool: PoolId,
    /// Every user id, in order.
    pub users: Vec<UserId>,
    /// The user whose scoped list page is measured: the manager of the first region
    /// (self-and-subordinates over a quarter of the org).
    pub manager: UserId,
    /// The SLA calendar id.
    pub calendar_id: i64,
    /// The first customer id of the seeded block (owned ones first, then pooled).
    pub first_customer: i64,
}

impl World {
    /// The owner of the `i`-th owned customer.
    pub fn owner_of(&self, i: usize) -> UserId {
        self.users[i % self.users.len()]
    }

    /// The `i`-th seeded customer's id.
    pub fn customer(&self, i: usize) -> CustomerId {
        CustomerId(self.first_customer + i as i64)
    }

    /// Ids of the pooled customers.
    pub fn pooled_ids(&self) -> Vec<CustomerId> {
        let owned = self.size.customers - self.size.pooled;
        (owned..self.size.customers)
            .map(|i| self.customer(i))
            .collect()
    }
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

fn sales_role(name: &str, scope: DataScope) -> RoleInput {
    use Action::*;
    RoleInput {
        name: name.into(),
        grants: [
            grants(
                Module::Customers,
                &[Create, Read, Update, Import, Transfer],
                scope,
            ),
            grants(Module::Contacts, &[Create, Read, Update], scope),
            grants(Module::FollowUps, &[Create, Read], scope),
            grants(Module::Tickets, &[Create, Read, Update], scope),
            grants(Module::Opportunities, &[Create, Read, Update], scope),
            grants(Module::Contracts, &[Create, Read, Update], scope),
        ]
        .concat(),
        fields: vec![],
    }
}

/// The managers' role: sales grants over self and subordinates.
pub fn manager_role() -> RoleInput {
    sales_role("manager", DataScope::SelfAndSubordinates)
}

/// A Shanghai Monday–Friday 09:00–12:00, 13:00–18:00 calendar with the 2026 public holidays
/// of the first half year.
pub fn calendar() -> Calendar {
    let mut c =
        Calendar::new("Asia/Shanghai").with_weekdays(&[("09:00", "12:00"), ("13:00", "18:00")]);
    for (m, d) in [
        (1, 1),
        (2, 16),
        (2, 17),
        (2, 18),
        (2, 19),
        (2, 20),
        (4, 6),
        (5, 1),
        (5, 4),
        (5, 5),
        (6, 19),
    ] {
        if let Some(date) = NaiveDate::from_ymd_opt(2026, m, d) {
            c = c.with_holiday(date);
        }
    }
    c
}

/// An engine over `store` with its clock at [`now`].
pub fn engine<S: Store>(store: S) -> (Crm<S>, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock::new(now()));
    (Crm::new(store, clock.clone()), clock)
}

/// Sets up the tenant through the engine: roles, departments, users (10 per department, the
/// first a manager), the SLA calendar and policy, and the default pool whose members are
/// the whole org. `held_limit` is every user's held limit.
pub async fn setup_org<S: Store>(
    crm: &Crm<S>,
    size: Size,
    held_limit: Option<u32>,
) -> CrmResult<World> {
    let sys = Actor::system(TENANT);
    let settings = TenantSettings {
        time_zone: "Asia/Shanghai".into(),
        held_limits: HeldLimits {
            default: held_limit,
            ..HeldLimits::default()
        },
        ..TenantSettings::default()
    };
    crm.setup_tenant(sys, "bench tenant", settings).await?;
    let sales: RoleId = crm
        .create_role(sys, sales_role("sales", DataScope::SelfOnly))
        .await?
        .id;
    let manager: RoleId = crm.create_role(sys, manager_role()).await?.id;
    let regions = size.regions();
    let parent_of =
        |d: usize| -> Option<usize> { (d > regions).then(|| (d - regions - 1) % regions + 1) };
    for d in 1..=size.departments {
        crm.upsert_department(
            sys,
            DepartmentInput {
                id: DepartmentId(d as i64),
                name: format!("Department {d}"),
                parent_id: parent_of(d).map(|p| DepartmentId(p as i64)),
            },
        )
        .await?;
    }
    let manager_of = |d: usize| UserId(FIRST_USER + ((d - 1) * USERS_PER_DEPARTMENT) as i64);
    let mut users = Vec::with_capacity(size.users());
    for d in 1..=size.departments {
        for k in 0..USERS_PER_DEPARTMENT {
            let id = UserId(FIRST_USER + ((d - 1) * USERS_PER_DEPARTMENT + k) as i64);
            let (supervisor, role) = if k == 0 {
                (parent_of(d).map(manager_of), manager)
            } else {
                (Some(manager_of(d)), sales)
            };
            crm.upsert_user(
                sys,
                UserInput {
                    id,
                    name: format!("User {}", id.0),
                    department_id: Some(DepartmentId(d as i64)),
                    supervisor_id: supervisor,
                    role_ids: vec![role],
                    tenant_admin: false,
                    active: true,
                    time_zone: None,
                    joined_on: None,
                },
            )
            .await?;
            users.push(id);
        }
    }
    let cal = crm.save_calendar(sys, None, "office", calendar()).await?;
    let targets = Targets {
        first_response_secs: 4 * 3600,
        next_response_secs: 8 * 3600,
        resolution_secs: 3 * 9 * 3600,
    };
    crm.save_sla_policy(
        sys,
        SlaPolicy {
            tenant: TENANT,
            id: crm_core::ids::SlaPolicyId(0),
            version: 0,
            name: "default".into(),
            position: 100,
            is_default: true,
            when: Default::default(),
            calendar_id: cal.id,
            targets: PriorityTargets {
                low: targets,
                normal: targets,
                high: targets,
                urgent: targets,
            },
            paused_statuses: vec![TicketStatus::WaitingOnCustomer, TicketStatus::OnHold],
            closed_counts_as_paused: true,
            warnings: vec![WarningLead::Minutes { minutes: 30 }],
            escalations: vec![],
        },
    )
    .await?;
    let pool = crm
        .create_pool(
            sys,
            PoolInput {
                name: "公海".into(),
                position: 0,
                is_default: true,
                enabled: true,
                admins: Members {
                    users: vec![manager_of(1)],
                    departments: vec![],
                },
                members: Members {
                    users: vec![],
                    departments: (1..=regions).map(|d| DepartmentId(d as i64)).collect(),
                },
                rules: PoolRules {
                    recycle: vec![RecycleRule {
                        kind: RecycleKind::NoFollowUp,
                        limits: LevelLimits::all(30),
                        remind_days_before: 3,
                    }],
                    ..PoolRules::default()
                },
                field_rules: vec![],
            },
        )
        .await?
        .id;
    Ok(World {
        size,
        pool,
        users,
        manager: manager_of(1),
        calendar_id: cal.id.into(),
        first_customer: 0,
    })
}

/// The `i`-th generated customer (`owned` or in `world.pool`), deterministic in the seed.
///
/// Owned customers' clocks are spread over the last four weeks; 1 in 100 is past the
/// 30-day no-follow-up rule (recycled by `run_due_work`), 1 in 100 is inside the 3-day
/// reminder window, 1 in 200 was never followed up (escalated after 48 hours).
pub fn customer(world: &World, i: usize) -> Customer {
    let size = world.size;
    let h = mix(size.seed, i as u64);
    let t = now();
    let id = world.first_customer + i as i64;
    let name = format!("客户{i:07} 贸易有限公司");
    let owned = i < size.customers - size.pooled;
    let mut c = if owned {
        crm_core::testkit::samples::customer(TENANT, id, Some(world.owner_of(i).0), &name, t)
    } else {
        crm_core::testkit::samples::pooled(TENANT, id, world.pool.0, &name, t)
    };
    c.phone = Some(format!("13{:09}", i));
    c.industry = Some(["制造", "零售", "软件", "物流"][(h % 4) as usize].into());
    c.created_at = t - Duration::days(60) + Duration::seconds((h % 86_400) as i64);
    c.updated_at = c.created_at;
    if owned {
        let (since, followup) = match h % 200 {
            0 | 1 => (t - Duration::days(40), Some(t - Duration::days(35))),
            2 | 3 => (
                t - Duration::days(40),
                Some(t - Duration::days(29) - Duration::hours(12)),
            ),
            4 => (t - Duration::days(3), None),
            _ => {
                let age = Duration::minutes((h >> 8) as i64 % (27 * 24 * 60));
                (t - age - Duration::hours(2), Some(t - age))
            }
        };
        c.owned_since = Some(since);
        c.last_owner_followup_at = followup;
        c.last_followup_at = followup;
    } else {
        c.entered_pool_at = Some(t - Duration::days(10));
    }
    c
}

/// Writes the generated customers and their owners' held counters through `store.apply`,
/// in units of `SEED_CHUNK` rows; returns the world with its first customer id set.
pub async fn seed_customers<S: Store>(store: &S, world: &World) -> CrmResult<World> {
    seed_customers_with(store, world, |_, _| {}).await
}

/// [`seed_customers`], with `adjust` applied to the `i`-th customer before it is written.
pub async fn seed_customers_with<S: Store>(
    store: &S,
    world: &World,
    adjust: impl Fn(usize, &mut Customer),
) -> CrmResult<World> {
    let size = world.size;
    let first = store
        .allocate_ids(Entity::Customer, size.customers as u32)
        .await?;
    let world = World {
        first_customer: first,
        ..world.clone()
    };
    let mut held = vec![0i64; world.users.len()];
    let mut i = 0;
    while i < size.customers {
        let end = (i + SEED_CHUNK).min(size.customers);
        let mut changes = Changes::new(TENANT);
        for k in i..end {
            let mut c = customer(&world, k);
            adjust(k, &mut c);
            if c.owner_id.is_some() {
                held[k % world.users.len()] += 1;
            }
            changes.insert(&c)?;
        }
        store.apply(changes).await?;
        i = end;
    }
    let mut changes = Changes::new(TENANT);
    for (u, n) in world.users.iter().zip(held) {
        if n > 0 {
            changes.insert(&HeldCounter {
                version: 1,
                held: n,
                ..HeldCounter::zero(TENANT, *u)
            })?;
        }
    }
    store.apply(changes).await?;
    Ok(world)
}

/// Creates `size.tickets` open tickets on owned customers: two templates through the
/// engine (one created four days ago — Thursday 10:00, 16 business hours before [`now`], so
/// its 4-hour first response is breached and SLA work is due now; one ten minutes ago, not
/// due), then copies of them under fresh ids, 1 in 50 a copy of the due one.
pub async fn seed_tickets<S: Store>(
    crm: &Crm<S>,
    clock: &FixedClock,
    world: &World,
) -> CrmResult<()> {
    let size = world.size;
    let owned = size.customers - size.pooled;
    let template = |at: DateTime<Utc>, i: usize| {
        clock.set(at);
        crm.create_ticket(
            Actor::system(TENANT),
            NewTicket {
                customer_id: world.customer(i),
                subject: "无法登录".into(),
                description: "客户反馈登录后台时提示密码错误，已重置仍然失败。".into(),
                channel: Channel::Email,
                category: None,
                priority: Priority::Normal,
                assignee_id: Some(world.owner_of(i)),
                group: None,
            },
        )
    };
    let due: Ticket = template(now() - Duration::days(4), 0)
        .await?
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    let fresh: Ticket = template(now() - Duration::minutes(10), 1)
        .await?
        .decode::<crm_core::service::TicketView>()
        .expect("typed record")
        .ticket;
    clock.set(now());
    let n = size.tickets.saturating_sub(2);
    if n == 0 {
        return Ok(());
    }
    let first = crm.store().allocate_ids(Entity::Ticket, n as u32).await?;
    let mut k = 0;
    while k < n {
        let end = (k + SEED_CHUNK).min(n);
        let mut changes = Changes::new(TENANT);
        for j in k..end {
            let h = mix(size.seed ^ 0x7469_636b, j as u64);
            let base = if h % 50 == 0 { &due } else { &fresh };
            let ci = (h as usize >> 8) % owned;
            changes.insert(&Ticket {
                id: crm_core::ids::TicketId(first + j as i64),
                customer_id: world.customer(ci),
                assignee_id: Some(world.owner_of(ci)),
                ..base.clone()
            })?;
        }
        crm.store().apply(changes).await?;
        k = end;
    }
    Ok(())
}
