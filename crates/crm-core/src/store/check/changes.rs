//! Validation of a [`Changes`]: every row's tenant, column values and body, every audit
//! entry and event.

use super::rule;
use super::value::{
    check_text, check_time, check_value, json_text_has_nul, json_value_has_nul, refuse,
};
use crate::error::{CrmError, CrmResult};
use crate::ids::TenantId;
use crate::store::audit::AuditEntry;
use crate::store::changes::{Changes, Write};
use crate::store::event::NewEvent;
use crate::store::row::StoredRow;

/// A unit of work core has validated; stores receive only these (see
/// [`Changes::checked`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ValidChanges {
    changes: Changes,
}

impl ValidChanges {
    /// The validated unit of work, for the store to destructure.
    pub fn into_inner(self) -> Changes {
        self.changes
    }
}

impl std::ops::Deref for ValidChanges {
    type Target = Changes;
    fn deref(&self) -> &Changes {
        &self.changes
    }
}

impl Changes {
    /// Checks everything a store would write: each row belongs to the unit's tenant and has
    /// one value per column of its table, of the column's type and within what every store
    /// holds (as for filters: no NUL, bounded text, instants in range at microsecond
    /// precision); each body is JSON without NUL; audit entries and events carry texts and
    /// JSON without NUL and instants in range. A foreign tenant or a wrong number of column
    /// values is an engine mistake (`Storage`); the rest is `Validation` naming the column
    /// or field and the rule.
    pub fn validate(&self) -> CrmResult<()> {
        let Changes {
            tenant,
            writes,
            audit,
            events,
        } = self;
        for write in writes {
            match write {
                Write::Insert(row) | Write::Update { row, .. } => check_row(*tenant, row)?,
                Write::Delete { tenant: of_row, .. } => check_tenant(*tenant, *of_row)?,
            }
        }
        for entry in audit {
            check_audit(*tenant, entry)?;
        }
        events.iter().try_for_each(check_event)
    }

    /// [`Changes::validate`], giving the token stores take.
    pub fn checked(self) -> CrmResult<ValidChanges> {
        self.validate()?;
        Ok(ValidChanges { changes: self })
    }
}

fn check_tenant(tenant: TenantId, of_row: TenantId) -> CrmResult<()> {
    if tenant == of_row {
        Ok(())
    } else {
        Err(CrmError::Storage(format!(
            "row of another tenant in Changes (tenant {of_row} in changes of tenant {tenant})"
        )))
    }
}

fn check_row(tenant: TenantId, row: &StoredRow) -> CrmResult<()> {
    check_tenant(tenant, row.tenant)?;
    let spec = row.entity.spec();
    if row.columns.len() != spec.columns.len() {
        return Err(CrmError::Storage(format!(
            "row {} of {} has {} column values, the table has {} columns",
            row.id,
            spec.table,
            row.columns.len(),
            spec.columns.len()
        )));
    }
    for (column, value) in spec.columns.iter().zip(&row.columns) {
        let place = format!("{}.{}", spec.table, column.name);
        check_value(column.name, &place, column.ty, value)?;
    }
    check_json_text("body", &format!("{}.body", spec.table), &row.body)
}

/// Valid JSON without NUL.
fn check_json_text(field: &str, place: &str, json: &str) -> CrmResult<()> {
    if let Err(e) = serde_json::from_str::<serde::de::IgnoredAny>(json) {
        return Err(refuse(
            field,
            rule::INVALID_JSON,
            format!("{place} is not JSON ({e})"),
        ));
    }
    if json_text_has_nul(json) {
        return Err(refuse(
            field,
            rule::NUL_IN_TEXT,
            format!("{place} holds the NUL character"),
        ));
    }
    Ok(())
}

fn check_json_value(field: &str, value: &serde_json::Value) -> CrmResult<()> {
    if json_value_has_nul(value) {
        return Err(refuse(
            field,
            rule::NUL_IN_TEXT,
            format!("{field} holds the NUL character"),
        ));
    }
    Ok(())
}

fn check_audit(tenant: TenantId, entry: &AuditEntry) -> CrmResult<()> {
    let AuditEntry {
        id: _,
        tenant: of_entry,
        at,
        actor: _,
        operation,
        entity,
        record_id: _,
        changes,
    } = entry;
    if *of_entry != tenant {
        return Err(CrmError::Storage(format!(
            "audit entry of another tenant in Changes (tenant {of_entry} in changes of tenant {tenant})"
        )));
    }
    check_time("audit.at", "audit_log.at", *at)?;
    check_text("audit.operation", "audit_log.operation", operation)?;
    check_text("audit.entity", "audit_log.entity", entity)?;
    for change in changes {
        if change.field.contains('\0') {
            return Err(refuse(
                "audit.changes",
                rule::NUL_IN_TEXT,
                "a changed field's name holds the NUL character",
            ));
        }
        check_json_value("audit.changes", &change.before)?;
        check_json_value("audit.changes", &change.after)?;
    }
    Ok(())
}

fn check_event(event: &NewEvent) -> CrmResult<()> {
    let NewEvent {
        kind: _,
        at,
        entity,
        record_id: _,
        payload,
    } = event;
    check_time("event.at", "events.at", *at)?;
    check_text("event.entity", "events.entity", entity)?;
    check_json_value("event.payload", payload)
}
