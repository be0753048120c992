//! The tour's org: departments, users, roles and the list printer.

use super::*;

pub(crate) fn grants(module: Module, actions: &[Action], scope: DataScope) -> Vec<Grant> {
    actions
        .iter()
        .map(|&action| Grant {
            module,
            action,
            scope,
        })
        .collect()
}

pub(crate) fn sales_role(name: &str, scope: DataScope) -> RoleInput {
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
            grants(Module::Opportunities, &[Create, Read, Update], scope),
            grants(Module::Contracts, &[Create, Read, Update], scope),
            grants(Module::Receivables, &[Read], scope),
            grants(Module::Leads, &[Create, Read, Update], scope),
            grants(Module::Tasks, &[Create, Read, Update], scope),
            grants(Module::Calendar, &[Create, Read, Update, Delete], scope),
            grants(Module::Visits, &[Create, Read, Update], scope),
            grants(Module::Targets, &[Create, Read, Update, Approve], scope),
            grants(Module::Commission, &[Read, Approve], scope),
            grants(Module::Marketing, &[Create, Read, Update], scope),
        ]
        .concat(),
        fields: vec![],
    }
}

pub(crate) fn service_role() -> RoleInput {
    RoleInput {
        name: "customer service".into(),
        grants: [
            grants(Module::Customers, &[Action::Read], DataScope::All),
            grants(Module::Contacts, &[Action::Read], DataScope::All),
            grants(
                Module::Tickets,
                &[Action::Create, Action::Read, Action::Update],
                DataScope::All,
            ),
        ]
        .concat(),
        fields: vec![
            FieldRule {
                module: Module::Customers,
                field: "phone".into(),
                access: FieldAccess::ReadOnly,
                mask: MaskMode::Everywhere,
            },
            FieldRule {
                module: Module::Customers,
                field: "email".into(),
                access: FieldAccess::Hidden,
                mask: MaskMode::None,
            },
            FieldRule {
                module: Module::Customers,
                field: "address".into(),
                access: FieldAccess::ReadOnly,
                mask: MaskMode::InLists,
            },
        ],
    }
}

/// Creates a role, or brings an existing one of the same name up to date.
pub(crate) async fn ensure_role(crm: &Crm<SqliteStore>, input: RoleInput) -> CrmResult<RoleId> {
    let sys = Actor::system(TENANT);
    match crm
        .list_roles(sys)
        .await?
        .into_iter()
        .find(|r| r.name == input.name)
    {
        Some(role) => Ok(crm.update_role(sys, role.id, input).await?.id),
        None => Ok(crm.create_role(sys, input).await?.id),
    }
}

pub(crate) async fn set_up_org(crm: &Crm<SqliteStore>) -> CrmResult<()> {
    let sys = Actor::system(TENANT);
    crm.setup_tenant(sys, "星辰贸易集团 (demo)", TenantSettings::default())
        .await?;
    let sales = ensure_role(crm, sales_role("sales", DataScope::SelfOnly)).await?;
    let manager = ensure_role(
        crm,
        sales_role("sales manager", DataScope::SelfAndSubordinates),
    )
    .await?;
    let service = ensure_role(crm, service_role()).await?;
    for (id, name, parent) in [(1, "Sales", None), (2, "Customer Service", None)] {
        crm.upsert_department(
            sys,
            DepartmentInput {
                id: DepartmentId(id),
                name: name.into(),
                parent_id: parent,
            },
        )
        .await?;
    }
    let users = [
        (MANAGER, "陈经理 (manager)", 1, None, manager),
        (ZHANG, "张伟 (sales)", 1, Some(MANAGER), sales),
        (LI, "李娜 (sales)", 1, Some(MANAGER), sales),
        (SERVICE, "赵敏 (service)", 2, None, service),
    ];
    for (id, name, dept, supervisor, role) in users {
        let input = UserInput {
            id,
            name: name.into(),
            department_id: Some(DepartmentId(dept)),
            supervisor_id: supervisor,
            role_ids: vec![role],
            tenant_admin: false,
            active: true,
            time_zone: None,
            joined_on: None,
        };
        crm.upsert_user(sys, input).await?;
    }
    Ok(())
}

pub(crate) fn cell(s: Option<&str>, width: usize) -> String {
    let s = s.unwrap_or("-");
    let mut out: String = s.chars().take(width * 2).collect();
    while out
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum::<usize>()
        > width * 2
    {
        out.pop();
    }
    let shown = out
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum::<usize>();
    if shown < width * 2 {
        out.push_str(&" ".repeat(width * 2 - shown));
    }
    out.push(' ');
    out
}

pub(crate) async fn show_list(crm: &Crm<SqliteStore>, who: &str, actor: Actor) -> CrmResult<()> {
    let page = crm
        .list_customers(
            actor,
            CustomerFilter {
                limit: Some(50),
                ..Default::default()
            },
        )
        .await?;
    println!("\n{who} sees {} customer(s):", page.items.len());
    let header = [
        cell(Some("name"), 14),
        cell(Some("phone"), 10),
        cell(Some("email"), 11),
    ]
    .concat();
    println!("    id  {header}hidden / masked");
    for c in &page.items {
        let r = &c.record;
        println!(
            "  {:>4}  {}{}{}{} / {}",
            r.id.0,
            cell(Some(&r.name), 14),
            cell(r.phone.as_deref(), 10),
            cell(r.email.as_deref(), 11),
            if c.hidden_fields.is_empty() {
                "-".into()
            } else {
                c.hidden_fields.join(",")
            },
            if c.masked_fields.is_empty() {
                "-".into()
            } else {
                c.masked_fields.join(",")
            },
        );
    }
    Ok(())
}
