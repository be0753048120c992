//! Field permissions applied to serialized records, audit entries and event payloads: the
//! keys of hidden fields removed at any depth, masked text masked. Driven by the field
//! catalog ([`crate::access::catalog`]), so every read path withholds the same keys.

use super::MaskKind;
use crate::access::CUSTOM_PREFIX;
use crate::access::{catalog, FieldAccess, FieldKind, FieldPolicy, Module, ViewContext};
use crate::store::{AuditEntry, Event};
use serde_json::Value;

/// The field policies governing one record: one per module of its kind.
pub type Policies = Vec<(Module, FieldPolicy)>;

fn push(list: &mut Vec<String>, name: &str) {
    if !list.iter().any(|n| n == name) {
        list.push(name.to_owned());
    }
}

/// Removes every `keys` entry of every object in `value`; true when one was removed.
fn remove_keys(value: &mut Value, keys: &[&str]) -> bool {
    let mut removed = false;
    match value {
        Value::Object(map) => {
            for key in keys {
                removed |= map.remove(*key).is_some();
            }
            for v in map.values_mut() {
                removed |= remove_keys(v, keys);
            }
        }
        Value::Array(items) => {
            for v in items {
                removed |= remove_keys(v, keys);
            }
        }
        _ => {}
    }
    removed
}

/// Masks the text held under `keys` (a string or a list of strings) everywhere in `value`;
/// true when a value was masked.
fn mask_keys(value: &mut Value, keys: &[&str], kind: MaskKind) -> bool {
    let mut masked = false;
    match value {
        Value::Object(map) => {
            for (k, v) in map.iter_mut() {
                if keys.contains(&k.as_str()) {
                    masked |= mask_text_value(v, kind);
                } else {
                    masked |= mask_keys(v, keys, kind);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                masked |= mask_keys(v, keys, kind);
            }
        }
        _ => {}
    }
    masked
}

fn mask_text_value(value: &mut Value, kind: MaskKind) -> bool {
    match value {
        Value::String(s) => {
            *s = kind.apply(s);
            true
        }
        Value::Array(items) => items
            .iter_mut()
            .fold(false, |m, v| mask_text_value(v, kind) | m),
        Value::Null => false,
        // Anything else under a text field is not shown in clear.
        other => {
            *other = Value::Null;
            true
        }
    }
}

/// Removes custom field `key` from every `custom` object in `value`.
fn remove_custom(value: &mut Value, key: &str) -> bool {
    let mut removed = false;
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(custom)) = map.get_mut("custom") {
                removed |= custom.remove(key).is_some();
            }
            for v in map.values_mut() {
                removed |= remove_custom(v, key);
            }
        }
        Value::Array(items) => {
            for v in items {
                removed |= remove_custom(v, key);
            }
        }
        _ => {}
    }
    removed
}

/// Masks custom field `key` in every `custom` object in `value` (text masked, any other
/// value not shown); true when one was masked.
fn mask_custom(value: &mut Value, key: &str) -> bool {
    let mut masked = false;
    match value {
        Value::Object(map) => {
            if let Some(Value::Object(custom)) = map.get_mut("custom") {
                if let Some(v) = custom.get_mut(key) {
                    masked |= mask_text_value(v, MaskKind::Text);
                }
            }
            for (k, v) in map.iter_mut() {
                if k != "custom" {
                    masked |= mask_custom(v, key);
                }
            }
        }
        Value::Array(items) => {
            for v in items {
                masked |= mask_custom(v, key);
            }
        }
        _ => {}
    }
    masked
}

fn mask_kind(kind: FieldKind) -> Option<MaskKind> {
    match kind {
        FieldKind::Phone => Some(MaskKind::Phone),
        FieldKind::Email => Some(MaskKind::Email),
        FieldKind::Text => Some(MaskKind::Text),
        FieldKind::Amount | FieldKind::Value => None,
    }
}

/// Applies `policies` to a serialized record in `view`; returns the fields withheld and the
/// fields masked. Amounts are withheld under a masking rule too (they are never masked).
pub fn redact(
    value: &mut Value,
    policies: &[(Module, FieldPolicy)],
    view: ViewContext,
) -> (Vec<String>, Vec<String>) {
    let mut hidden = Vec::new();
    let mut masked = Vec::new();
    for (module, policy) in policies {
        for field in catalog(*module) {
            let is_masked = policy.masked(field.name, view);
            let withheld = policy.access(field.name) == FieldAccess::Hidden
                || (is_masked && field.kind == FieldKind::Amount);
            if withheld {
                remove_keys(value, field.keys);
                push(&mut hidden, field.name);
            } else if is_masked {
                if let Some(kind) = mask_kind(field.kind) {
                    if mask_keys(value, field.keys, kind) {
                        push(&mut masked, field.name);
                    }
                }
            }
        }
        if matches!(module, Module::Customers | Module::Leads) {
            if policy.is_closed() {
                remove_keys(value, &["custom"]);
                push(&mut hidden, "custom");
            }
            for field in policy.fields() {
                if let Some(key) = field.strip_prefix(CUSTOM_PREFIX) {
                    if policy.access(field) == FieldAccess::Hidden {
                        remove_custom(value, key);
                        push(&mut hidden, field);
                    } else if policy.masked(field, view) && mask_custom(value, key) {
                        push(&mut masked, field);
                    }
                }
            }
        }
    }
    (hidden, masked)
}

/// Applies `policies` to an audit entry: a change of a withheld field (or of nothing but
/// withheld sub-fields) is left out, masked values are masked, amounts inside a changed
/// sub-record are removed (audit trails are shown like lists).
pub fn redact_audit(entry: &mut AuditEntry, policies: &[(Module, FieldPolicy)]) {
    if policies.is_empty() {
        return;
    }
    entry.changes.retain_mut(|change| {
        let mut keep = true;
        for value in [&mut change.before, &mut change.after] {
            let mut wrapped = serde_json::json!({ change.field.clone(): value.take() });
            redact(&mut wrapped, policies, ViewContext::List);
            match wrapped
                .as_object_mut()
                .and_then(|m| m.remove(&change.field))
            {
                Some(v) => *value = v,
                None => keep = false,
            }
        }
        // A change whose visible parts are equal told only of withheld sub-fields.
        keep && change.before != change.after
    });
}

/// Applies `policies` to an event's payload (shown like a list).
pub fn redact_event(event: &mut Event, policies: &[(Module, FieldPolicy)]) {
    if !policies.is_empty() {
        redact(&mut event.payload, policies, ViewContext::List);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::MaskMode;

    fn policy(rules: &[(&str, FieldAccess, MaskMode)]) -> FieldPolicy {
        FieldPolicy::from_rules(rules.iter().map(|(f, a, m)| (f.to_string(), *a, *m)))
    }

    #[test]
    fn hidden_keys_go_at_any_depth_and_masked_text_is_masked() {
        let mut v = serde_json::json!({
            "number": "K-1",
            "pricing": {"totals": {"grand_total": "99.00"}, "lines": [{"total": "99.00"}]},
            "installments": [{"amount": "99.00", "due_date": "2026-04-01"}],
            "ledger": [{"method": "alipay"}]
        });
        let policies = vec![
            (
                Module::Contracts,
                policy(&[("total", FieldAccess::Hidden, MaskMode::None)]),
            ),
            (
                Module::Receivables,
                policy(&[("method", FieldAccess::ReadOnly, MaskMode::Everywhere)]),
            ),
        ];
        let (hidden, masked) = redact(&mut v, &policies, ViewContext::Detail);
        assert_eq!(hidden, vec!["total".to_owned()]);
        assert_eq!(masked, vec!["method".to_owned()]);
        assert!(!v.to_string().contains("99.00"), "{v}");
        assert_eq!(v["installments"][0]["due_date"], "2026-04-01");
        assert_eq!(v["ledger"][0]["method"], "a***");
        assert_eq!(v["number"], "K-1");
    }

    #[test]
    fn a_masked_amount_is_withheld_and_a_closed_policy_hides_everything() {
        let mut v = serde_json::json!({"amount": "5.00", "name": "deal", "stage": "lead"});
        let p = policy(&[("amount", FieldAccess::ReadOnly, MaskMode::Everywhere)]);
        let (hidden, _) = redact(&mut v, &[(Module::Opportunities, p)], ViewContext::Detail);
        assert_eq!(hidden, vec!["amount".to_owned()]);
        assert!(v.get("amount").is_none() && v["name"] == "deal");
        let (hidden, _) = redact(
            &mut v,
            &[(Module::Opportunities, FieldPolicy::closed())],
            ViewContext::Detail,
        );
        assert!(hidden.contains(&"name".to_owned()));
        assert_eq!(v, serde_json::json!({"stage": "lead"}));
    }

    #[test]
    fn audit_changes_of_hidden_fields_are_left_out() {
        let mut entry = AuditEntry {
            id: 1,
            tenant: crate::ids::TenantId(1),
            at: chrono::DateTime::UNIX_EPOCH,
            actor: None,
            operation: "customer.update".into(),
            entity: "customer".into(),
            record_id: 1,
            changes: AuditEntry::diff(
                &serde_json::json!({"email": "a@b.cn", "phone": "13800000000", "locked": false, "custom": {"budget": 5, "x": 1}}),
                &serde_json::json!({"email": "c@d.cn", "phone": "13911112222", "locked": true, "custom": {"budget": 6, "x": 1}}),
            ),
        };
        let p = policy(&[
            ("email", FieldAccess::Hidden, MaskMode::None),
            ("phone", FieldAccess::ReadOnly, MaskMode::InLists),
            ("custom.budget", FieldAccess::Hidden, MaskMode::None),
        ]);
        redact_audit(&mut entry, &[(Module::Customers, p)]);
        let fields: Vec<&str> = entry.changes.iter().map(|c| c.field.as_str()).collect();
        assert_eq!(fields, vec!["locked", "phone"]);
        assert_eq!(entry.changes[1].before, "138****0000");
        assert_eq!(entry.changes[1].after, "139****2222");
    }
}
