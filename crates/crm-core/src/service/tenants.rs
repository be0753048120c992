//! Tenant set-up and settings.

use super::{json, transact, Crm};
use crate::actor::Actor;
use crate::error::{CrmError, CrmResult};
use crate::store::{AuditEntry, Changes, Entity, EventKind, NewEvent, Store, StoreExt};
use crate::tenant::{Tenant, TenantSettings};
use crate::validate::{required_text, MAX_NAME};

impl<S: Store> Crm<S> {
    /// Creates the actor's tenant, or replaces its name and settings. Creating needs the
    /// system actor; changing needs a tenant admin or the system actor.
    pub async fn setup_tenant(
        &self,
        actor: Actor,
        name: &str,
        settings: TenantSettings,
    ) -> CrmResult<Tenant> {
        crate::validate::texts(name, "name")?;
        let name = required_text(name, "tenant.name", MAX_NAME)?;
        settings.validate()?;
        transact!(self, async {
            let now = self.now();
            let existing = self
                .store()
                .load::<Tenant>(actor.tenant(), actor.tenant().0)
                .await?;
            let mut changes = Changes::new(actor.tenant());
            let (before, tenant) = match existing {
                None => {
                    if !matches!(actor, Actor::System { .. }) {
                        return Err(CrmError::PermissionDenied {
                            module: "settings".into(),
                            action: "create".into(),
                            field: None,
                        });
                    }
                    self.check_settings_references(actor, &settings).await?;
                    let t = Tenant {
                        id: actor.tenant(),
                        version: 1,
                        name: name.clone(),
                        settings: settings.clone(),
                        tiers_computed_on: None,
                        tags_evaluated_on: None,
                        segments_evaluated_on: None,
                    };
                    changes.insert(&t)?;
                    (serde_json::Value::Null, t)
                }
                Some(current) => {
                    let ctx = self.ctx(actor).await?;
                    ctx.access.require_settings(crate::access::Action::Update)?;
                    self.check_settings_references(actor, &settings).await?;
                    self.check_target_settings_change(
                        actor.tenant(),
                        &current.settings.targets,
                        &settings.targets,
                    )
                    .await?;
                    let next = Tenant {
                        name: name.clone(),
                        settings: settings.clone(),
                        ..current.clone()
                    };
                    if next == current {
                        return Ok((Changes::new(actor.tenant()), current));
                    }
                    changes.update(&next)?;
                    (
                        json(&current),
                        Tenant {
                            version: current.version + 1,
                            ..next
                        },
                    )
                }
            };
            changes.audit(AuditEntry {
                id: 0,
                tenant: actor.tenant(),
                at: now,
                actor: actor.user_id(),
                operation: "tenant.setup".into(),
                entity: Entity::Tenant.name().into(),
                record_id: actor.tenant().0,
                changes: AuditEntry::diff(&before, &json(&tenant)),
            });
            changes.event(NewEvent {
                kind: EventKind::TenantConfigured,
                at: now,
                entity: Entity::Tenant.name().into(),
                record_id: actor.tenant().0,
                payload: serde_json::json!({ "name": tenant.name }),
            });
            Ok((changes, tenant))
        })
    }

    /// Refuses settings naming a record the tenant does not have: the first-contact
    /// clock's calendar (calendars are never deleted, so a clock always finds it).
    async fn check_settings_references(
        &self,
        actor: Actor,
        settings: &TenantSettings,
    ) -> CrmResult<()> {
        if let Some(first_contact) = &settings.leads.first_contact {
            let id = first_contact.calendar_id;
            let found = self
                .store()
                .get(Entity::BusinessCalendar, actor.tenant(), id.into())
                .await?;
            if found.is_none() {
                return Err(CrmError::validation(
                    "settings.leads.first_contact.calendar_id",
                    format!("no calendar {id} in the tenant"),
                ));
            }
        }
        Ok(())
    }

    /// The tenant's settings (any user of the tenant may read them).
    pub async fn get_tenant(&self, actor: Actor) -> CrmResult<Tenant> {
        let ctx = self.ctx(actor).await?;
        Ok(ctx.tenant)
    }
}
