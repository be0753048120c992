//! Field permissions (字段权限): hidden, read-only or editable, plus masking; and the masks.

use super::grant::Module;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Access to one field. Ordered from least to most permissive.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FieldAccess {
    /// Not shown at all.
    Hidden,
    /// Shown, not writable.
    ReadOnly,
    /// Shown and writable.
    Editable,
}

/// When a shown field is masked. Ordered from most to least permissive.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Default,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MaskMode {
    /// Never masked.
    #[default]
    None,
    /// Masked in lists, clear on the detail view.
    InLists,
    /// Masked everywhere.
    Everywhere,
}

/// A role's rule for one field of one module.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FieldRule {
    /// Module.
    pub module: Module,
    /// Field name as serialized (`phone`, `content`, `custom.budget`).
    pub field: String,
    /// Access.
    pub access: FieldAccess,
    /// Masking.
    #[serde(default)]
    pub mask: MaskMode,
}

/// Where a record is being shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ViewContext {
    /// A list or search result.
    List,
    /// A single record or the 360° view.
    Detail,
}

/// The effective field rules of an actor for one module (most permissive over roles).
/// Fields without a rule are editable and unmasked, unless the policy is closed (a user
/// none of whose roles grants the module): then every field without a rule is hidden.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldPolicy {
    rules: BTreeMap<String, (FieldAccess, MaskMode)>,
    closed: bool,
}

impl FieldPolicy {
    /// Policy that allows everything.
    pub fn open() -> Self {
        Self::default()
    }

    /// Policy that hides every field: a user reading a module none of their roles grants
    /// (a tenant admin reading audit entries and events, see ADR 0011).
    pub fn closed() -> Self {
        Self {
            rules: BTreeMap::new(),
            closed: true,
        }
    }

    /// True for [`closed`](Self::closed) policies (and policies restricted by one).
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// Combines the rules of every role that grants the module. A role that grants the
    /// module but says nothing of a field leaves it editable and unmasked.
    pub fn combine<'a>(per_role: impl IntoIterator<Item = Vec<&'a FieldRule>>) -> Self {
        let per_role: Vec<Vec<&FieldRule>> = per_role.into_iter().collect();
        let mut fields: Vec<&str> = per_role
            .iter()
            .flatten()
            .map(|r| r.field.as_str())
            .collect();
        fields.sort_unstable();
        fields.dedup();
        let mut rules = BTreeMap::new();
        for field in fields {
            let mut best: Option<(FieldAccess, MaskMode)> = None;
            for role in &per_role {
                let (access, mask) = role
                    .iter()
                    .find(|r| r.field == field)
                    .map(|r| (r.access, r.mask))
                    .unwrap_or((FieldAccess::Editable, MaskMode::None));
                // A role that hides the field says nothing about how it is shown.
                let mask = if access == FieldAccess::Hidden {
                    MaskMode::Everywhere
                } else {
                    mask
                };
                best = Some(match best {
                    None => (access, mask),
                    Some((a, m)) => (a.max(access), m.min(mask)),
                });
            }
            if let Some(rule) = best.filter(|r| *r != (FieldAccess::Editable, MaskMode::None)) {
                rules.insert(field.to_owned(), rule);
            }
        }
        Self {
            rules,
            closed: false,
        }
    }

    /// The stricter of two policies, field by field (least access, most masking): a pool's
    /// field rules on top of a role's.
    pub fn restricted_by(&self, other: &FieldPolicy) -> FieldPolicy {
        let mut rules = self.rules.clone();
        for (field, (access, mask)) in &other.rules {
            let entry = rules
                .entry(field.clone())
                .or_insert((FieldAccess::Editable, MaskMode::None));
            *entry = (entry.0.min(*access), entry.1.max(*mask));
        }
        FieldPolicy {
            rules,
            closed: self.closed || other.closed,
        }
    }

    /// A policy from explicit (field, access, mask) rules.
    pub fn from_rules(rules: impl IntoIterator<Item = (String, FieldAccess, MaskMode)>) -> Self {
        FieldPolicy {
            rules: rules.into_iter().map(|(f, a, m)| (f, (a, m))).collect(),
            closed: false,
        }
    }

    /// Access to a field.
    pub fn access(&self, field: &str) -> FieldAccess {
        self.rules
            .get(field)
            .map(|r| r.0)
            .unwrap_or(if self.closed {
                FieldAccess::Hidden
            } else {
                FieldAccess::Editable
            })
    }

    /// True when the field is shown masked in this context.
    pub fn masked(&self, field: &str, ctx: ViewContext) -> bool {
        match self.rules.get(field) {
            Some((FieldAccess::Hidden, _)) | None => false,
            Some((_, MaskMode::Everywhere)) => true,
            Some((_, MaskMode::InLists)) => ctx == ViewContext::List,
            Some((_, MaskMode::None)) => false,
        }
    }

    /// Fields with a rule (hidden or masked candidates).
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }
}

/// Masks a phone number keeping its own shape ([`crate::customer::phone::mask`]):
/// `138****5678`, `028****8888`, `+1 415-***-0100`, `+49 30-***-4567`. Text that is not a
/// phone number keeps its first 3 and last 4 characters.
pub fn mask_phone(phone: &str) -> String {
    if let Some(masked) = crate::customer::phone::mask(phone) {
        return masked;
    }
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() <= 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

/// Masks an e-mail address: first character of the local part, then `***@domain`.
pub fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
        None => mask_text(email),
    }
}

/// Masks free text: first character, then `***`.
pub fn mask_text(text: &str) -> String {
    let first: String = text.chars().take(1).collect();
    format!("{first}***")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(field: &str, access: FieldAccess, mask: MaskMode) -> FieldRule {
        FieldRule {
            module: Module::Customers,
            field: field.into(),
            access,
            mask,
        }
    }

    #[test]
    fn masks_keep_what_the_design_says() {
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("1234567"), "*******");
        assert_eq!(mask_phone("12345678"), "123*5678");
        // Each number keeps its own shape (issue 12 item 15: not 141****0100 / 286***8888).
        assert_eq!(mask_phone("+1 415 555 0100"), "+1 415-***-0100");
        assert_eq!(mask_phone("028-6666-8888"), "028****8888");
        assert_eq!(mask_phone("+49 30 1234567"), "+49 30-***-4567");
        assert_eq!(mask_email("zhang.san@example.com"), "z***@example.com");
        assert_eq!(mask_text("北京路1号"), "北***");
    }

    #[test]
    fn most_permissive_role_wins() {
        let hide = rule("phone", FieldAccess::Hidden, MaskMode::None);
        let mask = rule("phone", FieldAccess::ReadOnly, MaskMode::Everywhere);
        let lists = rule("phone", FieldAccess::ReadOnly, MaskMode::InLists);
        let p = FieldPolicy::combine([vec![&hide], vec![&mask]]);
        assert_eq!(p.access("phone"), FieldAccess::ReadOnly);
        assert!(p.masked("phone", ViewContext::Detail));
        let p = FieldPolicy::combine([vec![&mask], vec![&lists]]);
        assert!(p.masked("phone", ViewContext::List));
        assert!(!p.masked("phone", ViewContext::Detail));
        // A role granting the module without a rule for the field opens it.
        let p = FieldPolicy::combine([vec![&hide], vec![]]);
        assert_eq!(p.access("phone"), FieldAccess::Editable);
        let p = FieldPolicy::combine([vec![&hide]]);
        assert_eq!(p.access("phone"), FieldAccess::Hidden);
        assert!(!p.masked("phone", ViewContext::List));
    }
}
