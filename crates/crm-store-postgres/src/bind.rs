//! Values crossing the driver boundary: a timestamptz codec, bind parameters, and decoding
//! of record rows.

use crate::error_map::corrupt;
use chrono::{DateTime, Utc};
use crm_core::store::{ColumnSpec, ColumnType, Entity, SqlValue, StoredRow};
use crm_core::{ids::TenantId, CrmError, CrmResult};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{
    PgArgumentBuffer, PgArguments, PgHasArrayType, PgRow, PgTypeInfo, PgValueFormat, PgValueRef,
    Postgres,
};
use sqlx::query::Query;
use sqlx::{Decode, Encode, Row, Type};

/// Microseconds from the Unix epoch to the PostgreSQL epoch (2000-01-01T00:00:00Z).
const PG_EPOCH_OFFSET_MICROS: i64 = 946_684_800_000_000;
/// OID of `timestamptz`.
const TIMESTAMPTZ_OID: Oid = Oid(1184);
/// OID of `timestamptz[]`.
const TIMESTAMPTZ_ARRAY_OID: Oid = Oid(1185);

/// A `timestamptz` value (microsecond precision; core refuses finer instants before they
/// reach a store).
///
/// The workspace's sqlx is built without its `chrono` feature, so the adapter carries its
/// own codec: the binary form is microseconds since 2000-01-01 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PgTime(pub DateTime<Utc>);

impl Type<Postgres> for PgTime {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(TIMESTAMPTZ_OID)
    }
}

impl PgHasArrayType for PgTime {
    fn array_type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(TIMESTAMPTZ_ARRAY_OID)
    }
}

impl Encode<'_, Postgres> for PgTime {
    fn encode_by_ref(&self, buf: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        let micros = self
            .0
            .timestamp_micros()
            .checked_sub(PG_EPOCH_OFFSET_MICROS)
            .ok_or_else(|| format!("instant {} out of range for timestamptz", self.0))?;
        <i64 as Encode<'_, Postgres>>::encode_by_ref(&micros, buf)
    }

    fn size_hint(&self) -> usize {
        std::mem::size_of::<i64>()
    }
}

impl<'r> Decode<'r, Postgres> for PgTime {
    fn decode(value: PgValueRef<'r>) -> Result<Self, BoxDynError> {
        match value.format() {
            PgValueFormat::Binary => {
                let micros = <i64 as Decode<'r, Postgres>>::decode(value)?;
                let unix = micros
                    .checked_add(PG_EPOCH_OFFSET_MICROS)
                    .ok_or("timestamptz out of range (infinity?)")?;
                DateTime::from_timestamp_micros(unix)
                    .map(PgTime)
                    .ok_or_else(|| "timestamptz out of range (infinity?)".into())
            }
            PgValueFormat::Text => Err("timestamptz in text format is not supported".into()),
        }
    }
}

/// One bind parameter, typed so that NULLs carry the column's type.
#[derive(Debug, Clone)]
pub(crate) enum Param {
    /// `int8`.
    Int(Option<i64>),
    /// `text`.
    Text(Option<String>),
    /// `timestamptz`.
    Time(Option<PgTime>),
    /// `bool`.
    Bool(Option<bool>),
    /// `int8[]`.
    Ints(Vec<i64>),
    /// `int8[]` with NULL elements.
    OptInts(Vec<Option<i64>>),
    /// `text[]`.
    Texts(Vec<String>),
    /// `timestamptz[]`.
    Times(Vec<PgTime>),
    /// `bool[]`.
    Bools(Vec<bool>),
}

/// Binds every parameter, in order, to a query.
pub(crate) fn bind_all(
    mut query: Query<'_, Postgres, PgArguments>,
    params: Vec<Param>,
) -> Query<'_, Postgres, PgArguments> {
    for param in params {
        query = match param {
            Param::Int(v) => query.bind(v),
            Param::Text(v) => query.bind(v),
            Param::Time(v) => query.bind(v),
            Param::Bool(v) => query.bind(v),
            Param::Ints(v) => query.bind(v),
            Param::OptInts(v) => query.bind(v),
            Param::Texts(v) => query.bind(v),
            Param::Times(v) => query.bind(v),
            Param::Bools(v) => query.bind(v),
        };
    }
    query
}

/// The parameter for a value written into a column; the value must have the column's type
/// (or be NULL).
pub(crate) fn column_param(table: &str, column: &ColumnSpec, value: &SqlValue) -> CrmResult<Param> {
    Ok(match (column.ty, value) {
        (ColumnType::Int, SqlValue::Null) => Param::Int(None),
        (ColumnType::Text, SqlValue::Null) => Param::Text(None),
        (ColumnType::Time, SqlValue::Null) => Param::Time(None),
        (ColumnType::Bool, SqlValue::Null) => Param::Bool(None),
        (ColumnType::Int, SqlValue::Int(v)) => Param::Int(Some(*v)),
        (ColumnType::Text, SqlValue::Text(v)) => Param::Text(Some(v.clone())),
        (ColumnType::Time, SqlValue::Time(v)) => Param::Time(Some(PgTime(*v))),
        (ColumnType::Bool, SqlValue::Bool(v)) => Param::Bool(Some(*v)),
        (ty, other) => {
            return Err(CrmError::Storage(format!(
                "column {table}.{} is {ty:?} but the row holds {other:?}",
                column.name
            )))
        }
    })
}

/// Decodes a record row selected as `id, version, <columns…>, body::text`.
pub(crate) fn decode_row(entity: Entity, tenant: TenantId, row: &PgRow) -> CrmResult<StoredRow> {
    let spec = entity.spec();
    let get_err = |e: sqlx::Error| corrupt(format!("{}: {e}", spec.table));
    let id: i64 = row.try_get(0).map_err(get_err)?;
    let version: i64 = row.try_get(1).map_err(get_err)?;
    let mut columns = Vec::with_capacity(spec.columns.len());
    for (i, column) in spec.columns.iter().enumerate() {
        let idx = i + 2;
        let value = match column.ty {
            ColumnType::Int => row
                .try_get::<Option<i64>, _>(idx)
                .map_err(get_err)?
                .map_or(SqlValue::Null, SqlValue::Int),
            ColumnType::Text => row
                .try_get::<Option<String>, _>(idx)
                .map_err(get_err)?
                .map_or(SqlValue::Null, SqlValue::Text),
            ColumnType::Time => row
                .try_get::<Option<PgTime>, _>(idx)
                .map_err(get_err)?
                .map_or(SqlValue::Null, |t| SqlValue::Time(t.0)),
            ColumnType::Bool => row
                .try_get::<Option<bool>, _>(idx)
                .map_err(get_err)?
                .map_or(SqlValue::Null, SqlValue::Bool),
        };
        columns.push(value);
    }
    let body: String = row.try_get(spec.columns.len() + 2).map_err(get_err)?;
    Ok(StoredRow {
        entity,
        tenant,
        id,
        version,
        columns,
        body,
    })
}
