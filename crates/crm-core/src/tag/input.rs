//! Creating and changing tag definitions: the checks that need no stored data.

use super::model::{Tag, TagKind, TagStatus};
use crate::audience::Condition;
use crate::error::{CrmError, CrmResult};
use crate::ids::{TagId, TenantId, UserId};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest tag name.
pub const MAX_TAG_NAME: usize = 50;
/// Longest description.
const MAX_DESCRIPTION: usize = 500;

/// Creates a tag definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTag {
    /// Name, unique in the tenant (trimmed, 1–50 characters).
    pub name: String,
    /// Manual or rule.
    pub kind: TagKind,
    /// The rule (required for rule tags, refused for manual ones); its `tag` leaves may name
    /// manual tags only.
    #[serde(default)]
    pub rule: Option<Condition>,
    /// Description (≤ 500 characters).
    #[serde(default)]
    pub description: Option<String>,
    /// Color, `#rrggbb`.
    #[serde(default)]
    pub color: Option<String>,
}

/// Changes a tag definition (absent fields stay; an empty description or color clears it).
/// The kind never changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTag {
    /// The tag (active).
    pub id: TagId,
    /// New name.
    #[serde(default)]
    pub name: Option<String>,
    /// New rule (rule tags only).
    #[serde(default)]
    pub rule: Option<Condition>,
    /// New description.
    #[serde(default)]
    pub description: Option<String>,
    /// New color.
    #[serde(default)]
    pub color: Option<String>,
}

/// A trimmed name of 1–50 characters (rule names `empty`, `too_long`).
pub fn tag_name(name: &str) -> CrmResult<String> {
    let v = name.trim();
    if v.is_empty() {
        return Err(CrmError::validation("name", "empty: must not be empty"));
    }
    if v.chars().count() > MAX_TAG_NAME {
        return Err(CrmError::validation(
            "name",
            format!("too_long: at most {MAX_TAG_NAME} characters"),
        ));
    }
    crate::validate::required_text(v, "name", MAX_TAG_NAME)
}

fn color(value: Option<&str>) -> CrmResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(c) => {
            let hex = c.strip_prefix('#').unwrap_or("");
            if hex.len() == 6 && hex.chars().all(|x| x.is_ascii_hexdigit()) {
                Ok(Some(c.to_ascii_lowercase()))
            } else {
                Err(CrmError::validation(
                    "color",
                    "bad_color: a color is #rrggbb",
                ))
            }
        }
    }
}

fn rule_for(kind: TagKind, rule: Option<&Condition>) -> CrmResult<()> {
    match (kind, rule) {
        (TagKind::Rule, None) => Err(CrmError::validation(
            "rule",
            "rule_required: a rule tag needs a rule",
        )),
        (TagKind::Manual, Some(_)) => Err(CrmError::validation(
            "rule",
            "rule_not_allowed: a manual tag has no rule",
        )),
        (_, Some(r)) => r.validate_at("rule"),
        (_, None) => Ok(()),
    }
}

impl CreateTag {
    /// Checks the input into a tag record (name uniqueness and `tag` leaves are the
    /// service's).
    pub fn into_tag(
        self,
        tenant: TenantId,
        id: TagId,
        by: Option<UserId>,
        now: DateTime<Utc>,
    ) -> CrmResult<Tag> {
        let name = tag_name(&self.name)?;
        rule_for(self.kind, self.rule.as_ref())?;
        Ok(Tag {
            tenant,
            id,
            version: 1,
            name,
            kind: self.kind,
            rule: self.rule,
            description: crate::validate::optional_text(
                self.description.as_deref(),
                "description",
                MAX_DESCRIPTION,
            )?,
            color: color(self.color.as_deref())?,
            status: TagStatus::Active,
            created_by: by,
            created_at: now,
            updated_at: now,
        })
    }
}

impl UpdateTag {
    /// The changed tag (name uniqueness and `tag` leaves are the service's).
    pub fn apply_to(self, tag: &Tag, now: DateTime<Utc>) -> CrmResult<Tag> {
        if tag.status == TagStatus::Retired {
            return Err(CrmError::rule(
                "tag_retired",
                format!("tag {} is retired", tag.id),
            ));
        }
        let mut next = tag.clone();
        if let Some(n) = self.name {
            next.name = tag_name(&n)?;
        }
        if let Some(r) = self.rule {
            rule_for(tag.kind, Some(&r))?;
            next.rule = Some(r);
        }
        if let Some(d) = self.description {
            next.description =
                crate::validate::optional_text(Some(&d), "description", MAX_DESCRIPTION)?;
        }
        if let Some(c) = self.color {
            next.color = color(Some(&c))?;
        }
        next.updated_at = now;
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn create(name: &str, kind: TagKind, rule: Option<Condition>) -> CrmResult<Tag> {
        CreateTag {
            name: name.into(),
            kind,
            rule,
            description: None,
            color: Some("#FFAA00".into()),
        }
        .into_tag(TenantId(1), TagId(1), None, chrono::DateTime::default())
    }

    fn reason(r: CrmResult<Tag>) -> String {
        match r {
            Err(CrmError::Validation { field, reason }) => format!("{field}: {reason}"),
            other => format!("{other:?}"),
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        let t = create("  休眠 ", TagKind::Manual, None).expect("ok");
        assert_eq!(t.name, "休眠");
        assert_eq!(t.color.as_deref(), Some("#ffaa00"));
        assert!(reason(create(" ", TagKind::Manual, None)).starts_with("name: empty"));
        assert!(create(&"名".repeat(50), TagKind::Manual, None).is_ok());
        assert!(
            reason(create(&"名".repeat(51), TagKind::Manual, None)).starts_with("name: too_long")
        );
    }

    #[test]
    fn rules_only_on_rule_tags() {
        let rule = Condition::Tag { name: "x".into() };
        assert!(reason(create("a", TagKind::Rule, None)).starts_with("rule: rule_required"));
        assert!(reason(create("a", TagKind::Manual, Some(rule.clone())))
            .starts_with("rule: rule_not_allowed"));
        assert!(create("a", TagKind::Rule, Some(rule)).is_ok());
    }
}
