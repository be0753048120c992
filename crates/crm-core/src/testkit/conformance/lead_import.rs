//! `lead.import` on every store: the per-row report of a CSV with good, refused and
//! duplicate rows (against stored leads and earlier rows, within a batch and across
//! batches), GBK and XLSX files, and refused rows or files that write nothing.

use crate::access::{Action, DataScope, FieldAccess, FieldRule, Grant, MaskMode, Module};
use crate::error::CrmError;
use crate::ids::{LeadId, UserId};
use crate::lead::import::{FileFormat, LeadImportReport, Refusal, RowOutcome, TextEncoding};
use crate::lead::{Lead, LeadInput, LeadStatus};
use crate::service::{ImportLeads, ImportOptions, RoleInput, UserInput};
use crate::store::{Entity, Query, Store, StoreExt};
use crate::testkit::fixture::*;
use crate::Actor;
use rust_decimal::Decimal;
use std::sync::Arc;

/// A sales user whose only role may import leads (in their own scope) under `fields`.
pub(super) const IMPORTER: UserId = UserId(30);

/// Adds [`IMPORTER`] to tenant 1 with a role granting leads create, read, update and
/// import on their own leads, and the given field rules.
pub(super) async fn add_importer<S: Store>(f: &Fixture<S>, fields: Vec<(&str, FieldAccess)>) {
    let sys = Actor::system(T1);
    let grants = [Action::Create, Action::Read, Action::Update, Action::Import]
        .into_iter()
        .map(|action| Grant {
            module: Module::Leads,
            action,
            scope: DataScope::SelfOnly,
        })
        .collect();
    let fields = fields
        .into_iter()
        .map(|(field, access)| FieldRule {
            module: Module::Leads,
            field: field.into(),
            access,
            mask: MaskMode::None,
        })
        .collect();
    let role = f
        .crm
        .create_role(
            sys,
            RoleInput {
                name: "lead importer".into(),
                grants,
                fields,
            },
        )
        .await
        .expect("importer role");
    f.crm
        .upsert_user(
            sys,
            UserInput {
                id: IMPORTER,
                name: "Importer Zhou".into(),
                department_id: Some(SALES_EAST),
                supervisor_id: Some(MANAGER),
                role_ids: vec![role.id],
                tenant_admin: false,
                active: true,
                time_zone: None,
                joined_on: None,
            },
        )
        .await
        .expect("importer");
}

/// A request importing `file` with the defaults and `batch_size`.
pub(super) fn request(file: impl Into<Vec<u8>>, batch_size: u32) -> ImportLeads {
    ImportLeads {
        file: file.into(),
        options: ImportOptions { batch_size },
        ..ImportLeads::default()
    }
}

/// The report's rows as (row, outcome).
pub(super) fn outcomes(report: &LeadImportReport) -> Vec<(u64, RowOutcome)> {
    report
        .rows
        .iter()
        .map(|r| (r.row, r.outcome.clone()))
        .collect()
}

pub(super) fn refused(field: &str, reason: &str) -> RowOutcome {
    RowOutcome::Refused(Refusal::new(field, reason))
}

pub(super) fn lead_id(o: &RowOutcome) -> LeadId {
    match o {
        RowOutcome::Imported { lead_id, .. } | RowOutcome::Duplicate { lead_id, .. } => *lead_id,
        other => panic!("no lead for {other:?}"),
    }
}

pub(super) async fn lead_count<S: Store>(store: &S) -> u64 {
    store
        .count(&Query::new(Entity::Lead, T1))
        .await
        .expect("count")
}

/// A CSV with good, refused and duplicate rows in batches of three: the report names
/// every row exactly; refused rows write nothing; duplicates fold into the stored lead or
/// the earlier row (in the same batch or an earlier one), the link shown only when the
/// importer reaches the original.
pub async fn lead_import_reports_each_row<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    add_importer(&f, vec![]).await;
    let crm = &f.crm;
    let reps = |name: &str, phone: Option<&str>, email: Option<&str>| LeadInput {
        name: name.into(),
        phone: phone.map(Into::into),
        email: email.map(Into::into),
        ..LeadInput::default()
    };
    crm.create_lead(user(REP), reps("原始", Some("13812345678"), None), None)
        .await
        .expect("rep's lead");
    crm.create_lead(user(REP2), reps("王", None, Some("wang@example.com")), None)
        .await
        .expect("peer's lead");
    let before = lead_count(store.as_ref()).await;
    let csv = "姓名,公司,手机,邮箱,来源,地区,行业,预计金额,币种,备注\n\
               张三,甲公司,13900000001,,web,华东,制造,1000.00,CNY,老客户\n\
               ,乙公司,13900000002,,,,,,,\n\
               李四,,13900000003,bad-email,,,,,,\n\
               王五,,138-1234-5678,,,,,,,\n\
               赵六,甲公司有限公司,,,,,,,,\n\
               钱七,,13900000007,,,,,12.345,CNY,\n\
               孙八,,13900000008,sun@example.com,,,,,,\n\
               周九,,139 0000 0008,,,,,,,\n\
               吴十,,,WANG@example.com,,,,,,\n\
               郑,1,2\n\
               冯,,,,,,,100,,\n\
               陈,甲公司,,,,,,,,\n";
    let report = crm
        .import_leads(user(IMPORTER), request(csv, 3))
        .await
        .expect("import");
    assert_eq!(report.format, FileFormat::Csv);
    assert_eq!(report.encoding, Some(TextEncoding::Utf8));
    assert_eq!(report.unknown_columns.len(), 1);
    assert_eq!(
        (
            report.unknown_columns[0].column,
            report.unknown_columns[0].header.as_str()
        ),
        (10, "备注")
    );
    let rows = outcomes(&report);
    let id = |row: u64| {
        rows.iter()
            .find(|(r, _)| *r == row)
            .map(|(_, o)| lead_id(o))
            .unwrap_or_else(|| panic!("row {row}"))
    };
    let imported = |row: u64| RowOutcome::Imported {
        lead_id: id(row),
        owner_id: Some(IMPORTER),
        pool_id: None,
    };
    let duplicate = |row: u64, into: Option<u64>, earlier: Option<u64>| RowOutcome::Duplicate {
        lead_id: id(row),
        merged_into: into.map(id),
        earlier_row: earlier,
    };
    let expected = vec![
        (2, imported(2)),
        (3, refused("name", "must not be empty")),
        (4, rows[2].1.clone()),
        // The rep's lead: the importer does not reach it, so it is not named.
        (5, duplicate(5, None, None)),
        // Row 2, in the same (uncommitted) batch.
        (6, duplicate(6, Some(2), Some(2))),
        (7, rows[5].1.clone()),
        (8, imported(8)),
        (9, duplicate(9, Some(8), Some(8))),
        (10, duplicate(10, None, None)),
        (11, refused("row", "3 cells, the header has 10")),
        (
            12,
            refused("currency", "an estimated amount needs its currency"),
        ),
        // Row 2 again, committed by the first batch.
        (13, duplicate(13, Some(2), Some(2))),
    ];
    assert_eq!(rows, expected);
    assert!(
        matches!(&rows[2].1, RowOutcome::Refused(r) if r.field == "email"),
        "{:?}",
        rows[2]
    );
    assert!(
        matches!(&rows[5].1, RowOutcome::Refused(r) if r.field == "estimated_amount"),
        "{:?}",
        rows[5]
    );
    assert_eq!(
        (report.imported, report.duplicates, report.refused),
        (2, 5, 5)
    );
    // Exactly the imported and folded rows were written.
    assert_eq!(lead_count(store.as_ref()).await, before + 7);
    let stored = |id: LeadId| {
        let store = store.clone();
        async move {
            let l: Lead = store.load(T1, id).await.expect("load").expect("stored");
            l
        }
    };
    let first = stored(id(2)).await;
    assert_eq!(first.company.as_deref(), Some("甲公司"));
    assert_eq!(first.estimated_amount, Some(Decimal::new(100_000, 2)));
    assert_eq!(
        (
            first.source.as_deref(),
            first.region.as_deref(),
            first.industry.as_deref()
        ),
        (Some("web"), Some("华东"), Some("制造"))
    );
    assert_eq!(
        (first.status, first.owner_id),
        (LeadStatus::New, Some(IMPORTER))
    );
    let folded = stored(id(9)).await;
    assert_eq!(folded.status, LeadStatus::Merged);
    assert_eq!(folded.merged_into, Some(id(8)));
    // The folded row into the rep's lead links it in the store, though the report hides it.
    assert!(stored(id(5)).await.merged_into.is_some());
    let audit = crm
        .record_audit(Actor::system(T1), "lead", id(2).0)
        .await
        .expect("audit");
    assert_eq!(
        audit
            .iter()
            .map(|a| a.operation.as_str())
            .collect::<Vec<_>>(),
        ["lead.import"]
    );
}

/// A GBK-encoded CSV (detected, then declared) and an XLSX workbook built here: numbers
/// read as their digits, blank rows skipped, the second sheet ignored, a value beyond the
/// header refused; broken and empty files are refused whole and write nothing.
pub async fn lead_import_reads_gbk_and_xlsx<S: Store>(store: Arc<S>) {
    let f = Fixture::new(store.clone()).await;
    add_importer(&f, vec![]).await;
    let crm = &f.crm;
    let text = "姓名,公司,手机\n李雷,星辰科技,13811110001\n韩梅梅,月光贸易,13811110002\n";
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(text);
    assert!(!unmappable && std::str::from_utf8(&gbk).is_err());
    let detected = crm
        .import_leads(user(IMPORTER), request(gbk.to_vec(), 500))
        .await
        .expect("gbk detected");
    assert_eq!(detected.encoding, Some(TextEncoding::Gb18030));
    assert_eq!(detected.imported, 2);
    let lead = |o: &RowOutcome| {
        let store = store.clone();
        let id = lead_id(o);
        async move {
            let l: Lead = store.load(T1, id).await.expect("load").expect("stored");
            l
        }
    };
    let first = lead(&detected.rows[0].outcome).await;
    assert_eq!(
        (first.name.as_str(), first.company.as_deref()),
        ("李雷", Some("星辰科技"))
    );
    // Declared, the same rows again: each folds into the lead the first import wrote.
    let declared = crm
        .import_leads(
            user(IMPORTER),
            ImportLeads {
                encoding: Some(TextEncoding::Gbk),
                ..request(gbk.to_vec(), 500)
            },
        )
        .await
        .expect("gbk declared");
    assert_eq!(declared.encoding, Some(TextEncoding::Gbk));
    assert_eq!((declared.imported, declared.duplicates), (0, 2));

    let xlsx = workbook().expect("workbook");
    let report = crm
        .import_leads(user(IMPORTER), request(xlsx, 500))
        .await
        .expect("xlsx");
    assert_eq!((report.format, report.encoding), (FileFormat::Xlsx, None));
    let rows: Vec<u64> = report.rows.iter().map(|r| r.row).collect();
    assert_eq!(rows, vec![2, 4, 5]);
    assert!(matches!(
        report.rows[0].outcome,
        RowOutcome::Imported { .. }
    ));
    let numbers = lead(&report.rows[0].outcome).await;
    assert_eq!(numbers.phone.as_deref(), Some("13712345678"));
    assert_eq!(numbers.estimated_amount, Some(Decimal::new(125_005, 1)));
    assert_eq!(numbers.currency.as_deref(), Some("CNY"));
    let text_row = lead(&report.rows[1].outcome).await;
    assert_eq!(
        (text_row.name.as_str(), text_row.company.as_deref()),
        ("韩梅梅", Some("月光贸易"))
    );
    assert_eq!(
        report.rows[2].outcome,
        refused("row", "a value in column 6, which has no header")
    );

    let before = lead_count(store.as_ref()).await;
    let field_of = |r: crate::CrmResult<LeadImportReport>| match r {
        Err(CrmError::Validation { field, .. }) => field,
        other => panic!("expected a refused file, got {other:?}"),
    };
    let broken = b"PK\x03\x04 not really a workbook".to_vec();
    assert_eq!(
        field_of(crm.import_leads(user(IMPORTER), request(broken, 500)).await),
        "file"
    );
    let truncated = workbook().map(|mut b| {
        b.truncate(b.len() / 2);
        b
    });
    let truncated = truncated.expect("workbook");
    assert_eq!(
        field_of(
            crm.import_leads(user(IMPORTER), request(truncated, 500))
                .await
        ),
        "file"
    );
    assert_eq!(
        field_of(crm.import_leads(user(IMPORTER), request("", 500)).await),
        "header"
    );
    let bad_utf8 = ImportLeads {
        encoding: Some(TextEncoding::Utf8),
        ..request(b"name\n\xC3(\n".to_vec(), 500)
    };
    assert_eq!(
        field_of(crm.import_leads(user(IMPORTER), bad_utf8).await),
        "encoding"
    );
    let header_only = crm
        .import_leads(user(IMPORTER), request("name,phone\n", 500))
        .await
        .expect("header only");
    assert!(header_only.rows.is_empty());
    assert_eq!(lead_count(store.as_ref()).await, before);
}

/// A workbook: on the first sheet a header, a row of numbers, a blank row, a row of text
/// and a row with a value beyond the header; a second sheet the import ignores.
fn workbook() -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (col, h) in (0_u16..).zip(["姓名", "手机", "预计金额", "币种", "公司"]) {
        sheet.write_string(0, col, h)?;
    }
    sheet.write_string(1, 0, "李雷")?;
    sheet.write_number(1, 1, 13_712_345_678.0)?;
    sheet.write_number(1, 2, 12_500.5)?;
    sheet.write_string(1, 3, "CNY")?;
    sheet.write_string(3, 0, "韩梅梅")?;
    sheet.write_string(3, 4, "月光贸易")?;
    sheet.write_string(4, 0, "多一列")?;
    sheet.write_string(4, 5, "无表头")?;
    let other = book.add_worksheet();
    other.write_string(0, 0, "not a lead sheet")?;
    book.save_to_buffer()
}
