//! Lead report figures (DESIGN §4.8), pure: counts, conversion rate and median business
//! times per group, from the facts of each lead. Merged leads count once — through the lead
//! they were merged into — so they are left out of every group (the status table shows
//! them).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the report reads of one lead (business times already measured on the calendar).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LeadOutcome {
    /// The lead was merged into another (left out of the groups).
    pub merged: bool,
    /// The lead was converted.
    pub converted: bool,
    /// Business seconds from its clock start (first owner) or creation to its first contact.
    pub to_first_contact: Option<i64>,
    /// Business seconds from creation to conversion.
    pub to_conversion: Option<i64>,
}

/// The figures of one group.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct LeadFigures {
    /// Leads (merged ones left out).
    pub leads: u64,
    /// Of those, converted.
    pub converted: u64,
    /// Of those, contacted (a follow-up recorded).
    pub contacted: u64,
    /// `converted / leads` rounded to 4 decimal places (half away from zero); `None` when the
    /// group has no lead.
    pub conversion_rate: Option<Decimal>,
    /// Median business seconds to the first contact over the contacted leads (the lower
    /// median of an even count); `None` without one.
    pub median_first_contact_secs: Option<i64>,
    /// Median business seconds from creation to conversion over the converted leads.
    pub median_conversion_secs: Option<i64>,
}

/// The lower median (no averaging: a duration that some lead actually took).
pub fn lower_median(values: &mut [i64]) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    values.get((values.len() - 1) / 2).copied()
}

/// The figures of a group of leads.
pub fn figures<'a>(leads: impl IntoIterator<Item = &'a LeadOutcome>) -> LeadFigures {
    let mut f = LeadFigures::default();
    let mut contact = Vec::new();
    let mut conversion = Vec::new();
    for l in leads.into_iter().filter(|l| !l.merged) {
        f.leads += 1;
        f.converted += u64::from(l.converted);
        if let Some(s) = l.to_first_contact {
            f.contacted += 1;
            contact.push(s);
        }
        if let Some(s) = l.to_conversion.filter(|_| l.converted) {
            conversion.push(s);
        }
    }
    f.conversion_rate = (f.leads > 0).then(|| {
        (Decimal::from(f.converted) / Decimal::from(f.leads))
            .round_dp_with_strategy(4, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
    });
    f.median_first_contact_secs = lower_median(&mut contact);
    f.median_conversion_secs = lower_median(&mut conversion);
    f
}

/// Groups `rows` by key and computes each group's figures, keys in order.
pub fn by_key<K: Ord + Clone>(rows: &[(K, LeadOutcome)]) -> Vec<(K, LeadFigures)> {
    let mut groups: BTreeMap<K, Vec<&LeadOutcome>> = BTreeMap::new();
    for (k, o) in rows {
        groups.entry(k.clone()).or_default().push(o);
    }
    groups
        .into_iter()
        .map(|(k, v)| (k, figures(v)))
        .filter(|(_, f)| f.leads > 0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead(converted: bool, contact: Option<i64>, conv: Option<i64>) -> LeadOutcome {
        LeadOutcome {
            merged: false,
            converted,
            to_first_contact: contact,
            to_conversion: conv,
        }
    }

    #[test]
    fn medians_are_lower_medians_and_none_when_empty() {
        assert_eq!(lower_median(&mut []), None);
        assert_eq!(lower_median(&mut [5]), Some(5));
        assert_eq!(lower_median(&mut [9, 1]), Some(1));
        assert_eq!(lower_median(&mut [9, 1, 5]), Some(5));
        assert_eq!(lower_median(&mut [4, 9, 1, 5]), Some(4));
    }

    #[test]
    fn merged_leads_count_once_through_their_winner() {
        let merged = LeadOutcome {
            merged: true,
            ..lead(false, Some(1), None)
        };
        let f = figures(&[
            lead(true, Some(3600), Some(7200)),
            merged,
            lead(false, None, None),
        ]);
        assert_eq!((f.leads, f.converted, f.contacted), (2, 1, 1));
        assert_eq!(f.conversion_rate, Some(Decimal::new(5000, 4)));
        assert_eq!(f.median_first_contact_secs, Some(3600));
        assert_eq!(f.median_conversion_secs, Some(7200));
    }

    #[test]
    fn rates_round_half_away_from_zero_and_empty_groups_have_none() {
        let three: Vec<LeadOutcome> = vec![
            lead(true, None, Some(1)),
            lead(false, None, None),
            lead(false, None, None),
        ];
        assert_eq!(figures(&three).conversion_rate, Some(Decimal::new(3333, 4)));
        let two_of_three: Vec<LeadOutcome> = vec![
            lead(true, None, Some(1)),
            lead(true, None, Some(1)),
            lead(false, None, None),
        ];
        assert_eq!(
            figures(&two_of_three).conversion_rate,
            Some(Decimal::new(6667, 4))
        );
        assert_eq!(figures(&[]).conversion_rate, None);
        let only_merged = [LeadOutcome {
            merged: true,
            ..lead(false, None, None)
        }];
        assert!(by_key(&[("x", only_merged[0])]).is_empty());
    }
}
