//! Tag definitions in the service: create, change, retire, read and list. Definitions are
//! tenant-wide: writing needs the marketing grant of the action (any reach) or a tenant
//! admin; reading needs marketing `read`. Names are unique in the tenant; a rule's `tag`
//! leaves must name active manual tags.

use super::{json, page_limit, transact, Crm, Ctx, Page};
use crate::access::{Action, Module, Reach};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::ids::TagId;
use crate::store::{Changes, Entity, EventKind, Filter, Query, Store, StoreExt};
use crate::tag::{CreateTag, Tag, TagKind, TagStatus, UpdateTag};
use serde::{Deserialize, Serialize};

/// Lists tag definitions by ascending id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TagFilter {
    /// Only this kind.
    #[serde(default)]
    pub kind: Option<TagKind>,
    /// Only this status.
    #[serde(default)]
    pub status: Option<TagStatus>,
    /// Keyset cursor.
    #[serde(default)]
    pub after: Option<i64>,
    /// Page size (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<u32>,
}

impl Ctx {
    /// Tenant admins and the system actor, or a marketing grant of `action` (any reach).
    pub(super) fn require_marketing(&self, action: Action) -> CrmResult<Reach> {
        if self.access.require_settings(action).is_ok() {
            return Ok(Reach::All);
        }
        self.access.require(Module::Marketing, action)
    }
}

/// The tag `name` in `tags` other than `except`.
fn named<'a>(tags: &'a [Tag], name: &str, except: TagId) -> Option<&'a Tag> {
    tags.iter().find(|t| t.name == name && t.id != except)
}

/// A rule's `tag` leaves name active manual tags only (rule `rule_tag_in_rule`: a rule
/// reading rule tags would depend on the order of evaluation, or on itself; rule
/// `unknown_tag`).
fn check_rule_leaves(tags: &[Tag], tag: &Tag) -> CrmResult<()> {
    let Some(rule) = &tag.rule else {
        return Ok(());
    };
    for name in rule.tag_names() {
        let quoted = crate::validate::quote(name);
        if name == tag.name {
            return Err(CrmError::validation(
                "rule",
                format!("rule_tag_in_rule: the rule reads its own tag {quoted}"),
            ));
        }
        match named(tags, name, tag.id) {
            Some(t) if t.kind == TagKind::Rule => {
                return Err(CrmError::validation(
                    "rule",
                    format!(
                        "rule_tag_in_rule: {quoted} is a rule tag; rules read manual tags only"
                    ),
                ))
            }
            Some(t) if t.status == TagStatus::Active => {}
            _ => {
                return Err(CrmError::validation(
                    "rule",
                    format!("unknown_tag: no active tag named {quoted}"),
                ))
            }
        }
    }
    Ok(())
}

/// Refuses a name another tag has (retired ones included).
fn check_unique(tags: &[Tag], tag: &Tag) -> CrmResult<()> {
    match named(tags, &tag.name, tag.id) {
        Some(other) => Err(CrmError::Duplicate {
            entity: "tag".into(),
            existing: other.id.0,
            owner: None,
            matched_on: "name".into(),
        }),
        None => Ok(()),
    }
}

/// Active rule tags whose rule reads the manual tag `name`.
fn readers<'a>(tags: &'a [Tag], name: &str) -> Vec<&'a Tag> {
    tags.iter()
        .filter(|t| t.status == TagStatus::Active)
        .filter(|t| {
            t.rule
                .as_ref()
                .is_some_and(|r| r.tag_names().contains(name))
        })
        .collect()
}

impl<S: Store> Crm<S> {
    /// Every tag definition of the tenant (definitions are few).
    pub(super) async fn load_tags(&self, ctx: &Ctx) -> CrmResult<Vec<Tag>> {
        self.store()
            .load_all(&Query::new(Entity::Tag, ctx.tenant.id))
            .await
    }

    pub(super) async fn load_tag(&self, ctx: &Ctx, id: TagId) -> CrmResult<Tag> {
        self.store()
            .load::<Tag>(ctx.tenant.id, id.0)
            .await?
            .ok_or_else(|| CrmError::not_found("tag", id))
    }

    fn tag_event(ctx: &Ctx, changes: &mut Changes, tag: &Tag, change: &str) {
        changes.event(ctx.event(
            EventKind::TagChanged,
            Entity::Tag,
            tag.id.0,
            serde_json::json!({ "tag_id": tag.id, "name": tag.name, "kind": tag.kind, "change": change }),
        ));
    }

    /// Creates a tag definition (see [`CreateTag`]).
    pub async fn create_tag(&self, actor: Actor, input: CreateTag) -> CrmResult<Tag> {
        crate::validate::texts(&input, "")?;
        let id = TagId(self.new_id(Entity::Tag).await?);
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.require_marketing(Action::Create)?;
            let by = ctx.access.user().map(|u| u.id);
            let tag = input.clone().into_tag(ctx.tenant.id, id, by, ctx.now)?;
            let tags = self.load_tags(&ctx).await?;
            check_unique(&tags, &tag)?;
            check_rule_leaves(&tags, &tag)?;
            let mut changes = Changes::new(ctx.tenant.id);
            changes.insert(&tag)?;
            changes.audit(ctx.audit(
                "tag.create",
                Entity::Tag,
                id.0,
                serde_json::Value::Null,
                json(&tag),
            ));
            Self::tag_event(&ctx, &mut changes, &tag, "created");
            Ok((changes, tag))
        })
    }

    /// Changes a tag definition (see [`UpdateTag`]). A manual tag that an active rule reads
    /// keeps its name (rule `tag_in_use`).
    pub async fn update_tag(&self, actor: Actor, input: UpdateTag) -> CrmResult<Tag> {
        crate::validate::texts(&input, "")?;
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.require_marketing(Action::Update)?;
            let tag = self.load_tag(&ctx, input.id).await?;
            let next = input.clone().apply_to(&tag, ctx.now)?;
            let tags = self.load_tags(&ctx).await?;
            check_unique(&tags, &next)?;
            check_rule_leaves(&tags, &next)?;
            if next.name != tag.name {
                if let Some(reader) = readers(&tags, &tag.name).first() {
                    return Err(CrmError::rule(
                        "tag_in_use",
                        format!("the rule of tag {} reads this tag by name", reader.id),
                    ));
                }
            }
            let mut changes = Changes::new(ctx.tenant.id);
            if next != tag {
                changes.update(&next)?;
                changes.audit(ctx.audit(
                    "tag.update",
                    Entity::Tag,
                    tag.id.0,
                    json(&tag),
                    json(&next),
                ));
                Self::tag_event(&ctx, &mut changes, &next, "updated");
            }
            Ok((changes, next))
        })
    }

    /// One tag definition.
    pub async fn get_tag(&self, actor: Actor, id: TagId) -> CrmResult<Tag> {
        let ctx = self.ctx(actor).await?;
        ctx.require_marketing(Action::Read)?;
        self.load_tag(&ctx, id).await
    }

    /// Tag definitions by ascending id, a page at a time.
    pub async fn list_tags(&self, actor: Actor, filter: TagFilter) -> CrmResult<Page<Tag>> {
        let ctx = self.ctx(actor).await?;
        ctx.require_marketing(Action::Read)?;
        let limit = page_limit(filter.limit)?;
        let mut query = Query::new(Entity::Tag, ctx.tenant.id)
            .after(filter.after)
            .limit(limit);
        if let Some(k) = filter.kind {
            query = query.filter(Filter::eq("kind", k.as_str()));
        }
        if let Some(s) = filter.status {
            query = query.filter(Filter::eq("status", s.as_str()));
        }
        let rows: Vec<Tag> = self.store().load_all(&query).await?;
        Ok(Page::of(rows, limit, |t| t))
    }

    /// Marks a tag retired (a manual tag that an active rule reads cannot be: rule
    /// `tag_in_use`). The service then removes it from its customers.
    pub(super) async fn mark_retired(&self, actor: Actor, id: TagId) -> CrmResult<Tag> {
        transact!(self, async {
            let ctx = self.ctx(actor).await?;
            ctx.require_marketing(Action::Update)?;
            let tag = self.load_tag(&ctx, id).await?;
            let mut changes = Changes::new(ctx.tenant.id);
            if tag.status == TagStatus::Retired {
                return Ok((changes, tag));
            }
            let tags = self.load_tags(&ctx).await?;
            if let Some(reader) = readers(&tags, &tag.name).into_iter().find(|t| t.id != id) {
                return Err(CrmError::rule(
                    "tag_in_use",
                    format!("the rule of tag {} reads this tag", reader.id),
                ));
            }
            let next = Tag {
                status: TagStatus::Retired,
                updated_at: ctx.now,
                ..tag.clone()
            };
            changes.update(&next)?;
            changes.audit(ctx.audit("tag.retire", Entity::Tag, id.0, json(&tag), json(&next)));
            Self::tag_event(&ctx, &mut changes, &next, "retired");
            Ok((changes, next))
        })
    }
}
