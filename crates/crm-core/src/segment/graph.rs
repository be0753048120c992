//! The reference graph between segments: an edge `a → b` when `a`'s expression names `b`.
//! A write that would close a cycle is refused with the path ([`check_acyclic`]); scheduled
//! and bulk evaluation walks segments so that every segment comes after those it names
//! ([`evaluation_order`]).

use crate::error::{CrmError, CrmResult};
use crate::ids::SegmentId;
use std::collections::{BTreeMap, BTreeSet};

/// The references of each segment.
pub type Graph = BTreeMap<SegmentId, BTreeSet<SegmentId>>;

/// Refuses giving `subject` the references `refs` when one of them leads back to `subject`
/// through `graph` (the stored definitions; `subject`'s own entry is ignored): rule
/// `segment_cycle`, naming the path (`segment 3 → segment 4 → segment 3`).
pub fn check_acyclic(
    subject: SegmentId,
    refs: &BTreeSet<SegmentId>,
    graph: &Graph,
) -> CrmResult<()> {
    match cycle_path(subject, refs, graph) {
        None => Ok(()),
        Some(path) => Err(CrmError::rule(
            "segment_cycle",
            path.iter()
                .map(|s| format!("segment {s}"))
                .collect::<Vec<_>>()
                .join(" → "),
        )),
    }
}

/// The path `subject → … → subject` that `refs` would close, if any.
pub fn cycle_path(
    subject: SegmentId,
    refs: &BTreeSet<SegmentId>,
    graph: &Graph,
) -> Option<Vec<SegmentId>> {
    // Depth-first search with an explicit stack of (node, path), visiting each node once.
    let mut seen = BTreeSet::new();
    let mut stack: Vec<(SegmentId, Vec<SegmentId>)> =
        refs.iter().rev().map(|&r| (r, vec![subject, r])).collect();
    while let Some((node, path)) = stack.pop() {
        if node == subject {
            return Some(path);
        }
        if !seen.insert(node) {
            continue;
        }
        if let Some(next) = graph.get(&node) {
            for &n in next.iter().rev() {
                let mut p = path.clone();
                p.push(n);
                stack.push((n, p));
            }
        }
    }
    None
}

/// Every segment of `graph`, each after the segments it names (those outside `graph` are
/// ignored); ties by ascending id. Should the graph hold a cycle after all, its members
/// come last, by id, rather than being dropped.
pub fn evaluation_order(graph: &Graph) -> Vec<SegmentId> {
    let mut pending: BTreeMap<SegmentId, usize> = graph
        .iter()
        .map(|(id, refs)| (*id, refs.iter().filter(|r| graph.contains_key(r)).count()))
        .collect();
    let mut users: BTreeMap<SegmentId, Vec<SegmentId>> = BTreeMap::new();
    for (id, refs) in graph {
        for r in refs.iter().filter(|r| graph.contains_key(r)) {
            users.entry(*r).or_default().push(*id);
        }
    }
    let mut ready: BTreeSet<SegmentId> = pending
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(id, _)| *id)
        .collect();
    let mut out = Vec::with_capacity(graph.len());
    while let Some(id) = ready.pop_first() {
        out.push(id);
        pending.remove(&id);
        for user in users.get(&id).map(Vec::as_slice).unwrap_or_default() {
            if let Some(n) = pending.get_mut(user) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    ready.insert(*user);
                }
            }
        }
    }
    out.extend(pending.keys());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(edges: &[(i64, &[i64])]) -> Graph {
        edges
            .iter()
            .map(|(a, bs)| (SegmentId(*a), bs.iter().map(|b| SegmentId(*b)).collect()))
            .collect()
    }

    fn set(ids: &[i64]) -> BTreeSet<SegmentId> {
        ids.iter().map(|i| SegmentId(*i)).collect()
    }

    #[test]
    fn a_self_reference_is_a_cycle() {
        let err = check_acyclic(SegmentId(1), &set(&[1]), &g(&[])).unwrap_err();
        assert!(err.to_string().contains("segment 1 → segment 1"), "{err}");
    }

    #[test]
    fn a_cycle_through_several_hops_names_its_path() {
        // 2 → 3 → 1 stored; giving 1 a reference to 2 closes 1 → 2 → 3 → 1.
        let graph = g(&[(1, &[]), (2, &[3]), (3, &[1])]);
        assert_eq!(
            cycle_path(SegmentId(1), &set(&[2]), &graph),
            Some(vec![SegmentId(1), SegmentId(2), SegmentId(3), SegmentId(1)])
        );
        assert!(matches!(
            check_acyclic(SegmentId(1), &set(&[2]), &graph),
            Err(CrmError::RuleViolation { rule, .. }) if rule == "segment_cycle"
        ));
        // A diamond is no cycle.
        let diamond = g(&[(2, &[4]), (3, &[4]), (4, &[])]);
        assert!(check_acyclic(SegmentId(1), &set(&[2, 3]), &diamond).is_ok());
    }

    #[test]
    fn the_subjects_stored_edges_are_ignored() {
        // 1 used to name 2; 2 names 1 — the update of 1 to name nothing is fine, to name 2 not.
        let graph = g(&[(1, &[2]), (2, &[1])]);
        assert!(check_acyclic(SegmentId(1), &set(&[]), &graph).is_ok());
        assert!(check_acyclic(SegmentId(1), &set(&[2]), &graph).is_err());
    }

    #[test]
    fn evaluation_order_puts_references_first() {
        let graph = g(&[(1, &[3]), (2, &[]), (3, &[2]), (4, &[1, 2]), (5, &[9])]);
        assert_eq!(
            evaluation_order(&graph),
            [2, 3, 1, 4, 5].map(SegmentId).to_vec()
        );
        let cyclic = g(&[(1, &[2]), (2, &[1]), (3, &[])]);
        assert_eq!(evaluation_order(&cyclic), [3, 1, 2].map(SegmentId).to_vec());
    }
}
