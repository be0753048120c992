//! Records as an actor may see them: hidden fields emptied, masked fields masked, and the
//! names of both listed so hosts can render them. Customers, contacts and follow-ups are
//! typed records driven field by field ([`Masker`]); contracts, opportunities, tickets,
//! audit entries and event payloads are redacted as JSON by the field catalog
//! ([`redact`]), so a hidden amount is absent rather than zero.

mod redact;

pub use redact::{redact, redact_audit, redact_event, Policies};

use crate::access::{mask_email, mask_phone, mask_text, FieldAccess, FieldPolicy, ViewContext};
use serde::{Deserialize, Serialize};

/// A record after field permissions were applied.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Visible<T> {
    /// The record, with hidden fields emptied and masked fields masked.
    #[serde(flatten)]
    pub record: T,
    /// Fields withheld from the actor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hidden_fields: Vec<String>,
    /// Fields shown masked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masked_fields: Vec<String>,
}

/// A record redacted as JSON (contracts, opportunities, tickets): hidden fields are absent.
pub type VisibleJson = Visible<serde_json::Value>;

impl Visible<serde_json::Value> {
    /// The record as `T`; fails when a field `T` needs was withheld.
    pub fn decode<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        serde_json::from_value(self.record.clone())
    }
}

/// How a text field is masked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum MaskKind {
    /// Keep first 3 and last 4 characters.
    Phone,
    /// Keep first character and the domain.
    Email,
    /// Keep the first character.
    Text,
}

impl MaskKind {
    /// The masked form of `value`.
    pub fn apply(self, value: &str) -> String {
        match self {
            MaskKind::Phone => mask_phone(
                &crate::customer::normalize::normalize_phone(value)
                    .unwrap_or_else(|| value.to_owned()),
            ),
            MaskKind::Email => mask_email(value),
            MaskKind::Text => mask_text(value),
        }
    }
}

/// Applies a policy field by field; each record type drives it over its own fields.
pub struct Masker<'a> {
    policy: &'a FieldPolicy,
    ctx: ViewContext,
    hidden: Vec<String>,
    masked: Vec<String>,
}

impl<'a> Masker<'a> {
    /// Starts masking under `policy` in `ctx`.
    pub fn new(policy: &'a FieldPolicy, ctx: ViewContext) -> Self {
        Self {
            policy,
            ctx,
            hidden: Vec::new(),
            masked: Vec::new(),
        }
    }

    /// True when the field is hidden (and records it).
    pub fn hide(&mut self, field: &str) -> bool {
        let hidden = self.policy.access(field) == FieldAccess::Hidden;
        if hidden {
            self.hidden.push(field.to_owned());
        }
        hidden
    }

    /// An optional text field: emptied when hidden, masked when masked.
    pub fn text(&mut self, field: &str, value: &mut Option<String>, kind: MaskKind) {
        if self.hide(field) {
            *value = None;
        } else if let Some(v) = value.as_mut() {
            self.mask_in_place(field, v, kind);
        }
    }

    /// A required text field: emptied when hidden, masked when masked.
    pub fn required_text(&mut self, field: &str, value: &mut String, kind: MaskKind) {
        if self.hide(field) {
            value.clear();
        } else {
            self.mask_in_place(field, value, kind);
        }
    }

    /// Any other field: reset to its default when hidden (amounts are hidden, never masked).
    pub fn other<T: Default>(&mut self, field: &str, value: &mut T) {
        if self.hide(field) {
            *value = T::default();
        }
    }

    fn mask_in_place(&mut self, field: &str, value: &mut String, kind: MaskKind) {
        if self.policy.masked(field, self.ctx) {
            *value = kind.apply(value);
            self.masked.push(field.to_owned());
        }
    }

    /// Wraps the record.
    pub fn finish<T>(self, record: T) -> Visible<T> {
        Visible {
            record,
            hidden_fields: self.hidden,
            masked_fields: self.masked,
        }
    }
}
