//! The org snapshot of a tenant and the walks over it: subordinates (recursive by
//! supervisor), department subtrees, supervisor chains. Cycles are refused on write and
//! tolerated on read (every walk visits a node once).

use super::{Department, User};
use crate::ids::{DepartmentId, UserId};
use std::collections::{BTreeMap, BTreeSet};

/// All users and departments of one tenant.
#[derive(Debug, Clone, Default)]
pub struct Org {
    /// Users by id.
    pub users: BTreeMap<UserId, User>,
    /// Departments by id.
    pub departments: BTreeMap<DepartmentId, Department>,
}

impl Org {
    /// Builds the snapshot.
    pub fn new(users: Vec<User>, departments: Vec<Department>) -> Self {
        Self {
            users: users.into_iter().map(|u| (u.id, u)).collect(),
            departments: departments.into_iter().map(|d| (d.id, d)).collect(),
        }
    }

    /// The user and everyone below them by supervisor, recursively.
    pub fn self_and_subordinates(&self, user: UserId) -> BTreeSet<UserId> {
        let mut children: BTreeMap<UserId, Vec<UserId>> = BTreeMap::new();
        for u in self.users.values() {
            if let Some(s) = u.supervisor_id {
                children.entry(s).or_default().push(u.id);
            }
        }
        let mut out = BTreeSet::from([user]);
        let mut stack = vec![user];
        while let Some(next) = stack.pop() {
            for &c in children.get(&next).into_iter().flatten() {
                if out.insert(c) {
                    stack.push(c);
                }
            }
        }
        out
    }

    /// The department and all departments below it.
    pub fn department_subtree(&self, root: DepartmentId) -> BTreeSet<DepartmentId> {
        let mut children: BTreeMap<DepartmentId, Vec<DepartmentId>> = BTreeMap::new();
        for d in self.departments.values() {
            if let Some(p) = d.parent_id {
                children.entry(p).or_default().push(d.id);
            }
        }
        let mut out = BTreeSet::from([root]);
        let mut stack = vec![root];
        while let Some(next) = stack.pop() {
            for &c in children.get(&next).into_iter().flatten() {
                if out.insert(c) {
                    stack.push(c);
                }
            }
        }
        out
    }

    /// Users whose department is in `departments`.
    pub fn users_in(&self, departments: &BTreeSet<DepartmentId>) -> BTreeSet<UserId> {
        self.users
            .values()
            .filter(|u| u.department_id.is_some_and(|d| departments.contains(&d)))
            .map(|u| u.id)
            .collect()
    }

    /// The supervisor `levels` steps up from `user` (1 = direct supervisor).
    pub fn supervisor(&self, user: UserId, levels: u32) -> Option<UserId> {
        let mut current = user;
        let mut seen = BTreeSet::from([user]);
        for _ in 0..levels {
            current = self.users.get(&current)?.supervisor_id?;
            if !seen.insert(current) {
                return None;
            }
        }
        Some(current)
    }

    /// True when making `supervisor` the supervisor of `user` would close a loop.
    pub fn supervisor_would_cycle(&self, user: UserId, supervisor: UserId) -> bool {
        self.self_and_subordinates(user).contains(&supervisor)
    }

    /// True when making `parent` the parent of `department` would close a loop.
    pub fn parent_would_cycle(&self, department: DepartmentId, parent: DepartmentId) -> bool {
        self.department_subtree(department).contains(&parent)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TenantId;

    fn user(id: i64, dept: Option<i64>, sup: Option<i64>) -> User {
        User {
            tenant: TenantId(1),
            id: UserId(id),
            version: 1,
            name: format!("u{id}"),
            department_id: dept.map(DepartmentId),
            supervisor_id: sup.map(UserId),
            role_ids: vec![],
            tenant_admin: false,
            active: true,
            time_zone: None,
            joined_on: None,
        }
    }

    fn dept(id: i64, parent: Option<i64>) -> Department {
        Department {
            tenant: TenantId(1),
            id: DepartmentId(id),
            version: 1,
            name: format!("d{id}"),
            parent_id: parent.map(DepartmentId),
        }
    }

    fn org() -> Org {
        // 1 heads 2 and 3; 2 heads 4; 5 is elsewhere. Dept 10 has child 11, 11 has child 12.
        Org::new(
            vec![
                user(1, Some(10), None),
                user(2, Some(11), Some(1)),
                user(3, Some(10), Some(1)),
                user(4, Some(12), Some(2)),
                user(5, Some(20), None),
            ],
            vec![
                dept(10, None),
                dept(11, Some(10)),
                dept(12, Some(11)),
                dept(20, None),
            ],
        )
    }

    #[test]
    fn subordinates_are_recursive() {
        let o = org();
        let ids = |s: BTreeSet<UserId>| s.into_iter().map(|u| u.0).collect::<Vec<_>>();
        assert_eq!(ids(o.self_and_subordinates(UserId(1))), vec![1, 2, 3, 4]);
        assert_eq!(ids(o.self_and_subordinates(UserId(2))), vec![2, 4]);
        assert_eq!(ids(o.self_and_subordinates(UserId(4))), vec![4]);
    }

    #[test]
    fn department_subtree_includes_grandchildren_only_below() {
        let o = org();
        let sub: Vec<i64> = o
            .department_subtree(DepartmentId(11))
            .into_iter()
            .map(|d| d.0)
            .collect();
        assert_eq!(sub, vec![11, 12]);
        let users: Vec<i64> = o
            .users_in(&o.department_subtree(DepartmentId(10)))
            .into_iter()
            .map(|u| u.0)
            .collect();
        assert_eq!(users, vec![1, 2, 3, 4]);
    }

    #[test]
    fn supervisor_chain_and_cycles() {
        let o = org();
        assert_eq!(o.supervisor(UserId(4), 1), Some(UserId(2)));
        assert_eq!(o.supervisor(UserId(4), 2), Some(UserId(1)));
        assert_eq!(o.supervisor(UserId(4), 3), None);
        assert!(o.supervisor_would_cycle(UserId(1), UserId(4)));
        assert!(!o.supervisor_would_cycle(UserId(4), UserId(5)));
        assert!(o.parent_would_cycle(DepartmentId(10), DepartmentId(12)));
        assert!(!o.parent_would_cycle(DepartmentId(12), DepartmentId(20)));
    }
}
