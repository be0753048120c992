//! `lead.import` over the wire: the file as base64 in a JSON request, run through the
//! leads facet and `Crm::execute`, and the report's JSON shape.

use crm_core::prelude::*;
use crm_core::testkit::fixture::*;
use crm_core::testkit::MemoryStore;
use serde_json::json;

#[tokio::test]
async fn a_json_request_carries_the_file_as_base64() {
    let f = Fixture::new(MemoryStore::new()).await;
    let sys = Actor::system(T1);
    // "姓名,手机\n李雷,13811112222\n韩梅梅,+86 138 1111 2222\n,1\n" in base64.
    let file =
        "5aeT5ZCNLOaJi+acugrmnY7pm7csMTM4MTExMTIyMjIK6Z+p5qKF5qKFLCs4NiAxMzggMTExMSAyMjIyCiwxCg==";
    let request: ImportLeads = serde_json::from_value(json!({
        "file": file,
        "owner_id": REP,
        "options": {"batch_size": 10}
    }))
    .expect("request");
    let report = f.crm.leads().import(sys, request).await.expect("import");
    let shown = serde_json::to_value(&report).expect("json");
    let first = report.rows.first().map(|r| r.row);
    assert_eq!(first, Some(2));
    let id = shown["rows"][0]["lead_id"].clone();
    assert_eq!(
        shown,
        json!({
            "format": "csv",
            "encoding": "utf8",
            "unknown_columns": [],
            "imported": 1,
            "duplicates": 1,
            "refused": 1,
            "rows": [
                {"row": 2, "outcome": "imported", "lead_id": id, "owner_id": REP.0, "pool_id": null},
                {"row": 3, "outcome": "duplicate", "lead_id": shown["rows"][1]["lead_id"],
                 "merged_into": id, "earlier_row": 2},
                {"row": 4, "outcome": "refused", "field": "name", "reason": "must not be empty"}
            ]
        })
    );
    // The same request through execute, from its JSON form: every row now folds into the
    // leads just written (the refused row still refused).
    let again: ImportLeads =
        serde_json::from_value(json!({"file": file, "owner_id": REP})).expect("request");
    let round = serde_json::to_value(&again).expect("back to json");
    assert_eq!(round["file"], json!(file));
    let second = f.crm.execute(sys, again).await.expect("execute");
    assert_eq!(
        (second.imported, second.duplicates, second.refused),
        (0, 2, 1)
    );
    // A file that is not base64 is refused when the request is read.
    let bad = serde_json::from_value::<ImportLeads>(json!({"file": "姓名"}));
    assert!(bad.is_err());
}
