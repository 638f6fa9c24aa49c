//! Importing a month from a spreadsheet: XLSX numbers rounded to the fen, CSV in UTF-8 or
//! GBK, every bad row named, nothing saved unless all are good.

use reqwest::StatusCode;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sunlight_api::{
    dto::ImportResult,
    ledger::{Kind, LedgerMonth},
};
use sunlight_server::demo::DEMO_PASSWORD;

use super::*;

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2025-07";

async fn send(app: &TestApp, bytes: Vec<u8>) -> reqwest::Response {
    app.client
        .post(app.url(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/import")))
        .header("content-type", "application/octet-stream")
        .header(sunlight_api::CSRF_HEADER, "1")
        .body(bytes)
        .send()
        .await
        .unwrap()
}

fn xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    for (c, h) in [
        "日期",
        "收支",
        "金额（元）",
        "科目",
        "收付款方",
        "是否个人",
        "发票号",
        "备注",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, c as u16, *h).unwrap();
    }
    sheet
        .write_datetime_with_format(1, 0, ExcelDateTime::from_ymd(2025, 7, 3).unwrap(), &date)
        .unwrap();
    sheet.write_string(1, 1, "支出").unwrap();
    sheet.write_number(1, 2, 1234.565).unwrap();
    sheet.write_string(1, 3, "办公费").unwrap();
    sheet.write_string(1, 4, "云溪文具店").unwrap();
    sheet.write_string(1, 6, "INV-77").unwrap();
    sheet.write_string(2, 0, "2025-07-09").unwrap();
    sheet.write_string(2, 1, "收入").unwrap();
    sheet.write_number(2, 2, 2500).unwrap();
    sheet.write_string(2, 3, "租赁收入").unwrap();
    sheet.write_string(2, 4, "陈国强").unwrap();
    sheet.write_string(2, 5, "是").unwrap();
    book.save_to_buffer().unwrap()
}

db_test!(xlsx_import_rounds_to_the_fen, |app| {
    app.demo().await;
    app.set_today("2025-08-10");
    app.sign_in("13800000002", DEMO_PASSWORD).await;
    let res = send(&app, xlsx()).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(json::<ImportResult>(res).await.created, 2);
    let month: LedgerMonth = json(app.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    let office = month.lines.iter().find(|l| l.kind == Kind::Expense).unwrap();
    assert_eq!(office.amount_fen, 123_457, "1234.565 rounds half away from zero");
    assert_eq!(office.date.to_string(), "2025-07-03");
    assert_eq!(office.invoice_no.as_deref(), Some("INV-77"));
    let rent = month.lines.iter().find(|l| l.kind == Kind::Income).unwrap();
    assert!(rent.counterparty_is_person);
    assert_eq!(rent.amount_fen, 250_000);
});

db_test!(bad_rows_are_all_named_and_nothing_is_saved, |app| {
    app.demo().await;
    app.set_today("2025-08-10");
    app.sign_in("13800000002", DEMO_PASSWORD).await;
    let csv = "日期,收支,金额,科目,收付款方\n\
               2025-07-01,支出,10,办公费,文具店\n\
               2025-08-01,支出,10,办公费,文具店\n\
               2025-07-02,转账,10,办公费,文具店\n\
               2025-07-03,支出,1.234,办公费,文具店\n\
               2025-07-04,支出,10,办公费,\n";
    let (gbk, _, _) = encoding_rs::GBK.encode(csv);
    let body = expect_error(send(&app, gbk.into_owned()).await, 422, "invalid").await;
    let rows: Vec<(u32, &str)> = body.rows.iter().map(|r| (r.row, r.field.as_str())).collect();
    assert_eq!(rows, vec![(3, "date"), (4, "kind"), (5, "amount"), (6, "counterparty")]);
    let month: LedgerMonth = json(app.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
    assert!(month.lines.is_empty(), "the good row was not saved either");
    // Missing columns are named on line 1; a file that is no spreadsheet at all is refused.
    let body = expect_error(
        send(&app, "日期,金额\n2025-07-01,3\n".as_bytes().to_vec()).await,
        422,
        "invalid",
    )
    .await;
    assert!(body.rows.iter().all(|r| r.row == 1) && body.rows.len() == 3);
    let body = expect_error(
        send(&app, b"PK\x03\x04 not really a workbook".to_vec()).await,
        422,
        "invalid",
    )
    .await;
    assert_eq!(body.field.as_deref(), Some("file"));
    // The template imports cleanly as it is: its example rows are dated in the month it
    // is for and not after today (in a new village, whose months the demo has not filled).
    app.set_today("2026-12-15");
    let fresh = code("359901101209");
    app.db.upsert_region(&fresh, "新建村").await.unwrap();
    let acc = app
        .account("13500000007", sunlight_api::Role::Accountant, fresh.as_str(), None)
        .await;
    let accountant = app.session_for(acc).await;
    for (query, month) in [("?month=2026-11", "2026-11"), ("", "2026-12")] {
        let template = app.get(&format!("api/ledger-template.xlsx{query}")).await;
        assert!(
            template.headers()["content-disposition"]
                .to_str()
                .unwrap()
                .starts_with("attachment")
        );
        let bytes = template.bytes().await.unwrap().to_vec();
        let res = accountant
            .post(app.url(&format!("api/regions/{fresh}/ledger/{month}/import")))
            .header(sunlight_api::CSRF_HEADER, "1")
            .body(bytes)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CREATED, "template for {month}");
        assert_eq!(json::<ImportResult>(res).await.created, 2);
    }
    let body = expect_error(app.get("api/ledger-template.xlsx?month=2026-13").await, 422, "invalid").await;
    assert_eq!(body.field.as_deref(), Some("month"));
});

db_test!(
    a_quoted_cell_may_hold_a_line_break_and_amounts_are_read_strictly,
    |app| {
        app.demo().await;
        app.set_today("2025-08-10");
        app.sign_in("13800000002", DEMO_PASSWORD).await;
        // Excel quotes a cell with a line break (Alt+Enter); it is one row, not two.
        let csv = "日期,收支,金额,科目,收付款方,备注\r\n\
               2025-07-01,支出,\"1,200.00\",办公费,文具店,\"打印纸\r\n墨盒\"\r\n\
               2025-07-02,支出,1 2 3,办公费,文具店,\r\n\
               2025-07-03,支出,5.,办公费,文具店,\r\n";
        let body = expect_error(send(&app, csv.as_bytes().to_vec()).await, 422, "invalid").await;
        let rows: Vec<(u32, &str, sunlight_api::error::FieldError)> =
            body.rows.iter().map(|r| (r.row, r.field.as_str(), r.code)).collect();
        use sunlight_api::error::FieldError::NotAnAmount;
        assert_eq!(rows, vec![(4, "amount", NotAnAmount), (5, "amount", NotAnAmount)]);
        let good = "日期,收支,金额,科目,收付款方,备注\n\
                2025-07-01,支出,\"1,200.00\",办公费,文具店,\"打印纸\n墨盒\"\n\
                2025-07-02,收入,300元,集体收入,承包户,\n";
        let (gbk, _, _) = encoding_rs::GBK.encode(good);
        let res = send(&app, gbk.into_owned()).await;
        assert_eq!(json::<ImportResult>(res).await.created, 2);
        let month: LedgerMonth = json(app.get(&format!("api/regions/{VILLAGE}/ledger/{MONTH}")).await).await;
        let paper = month.lines.iter().find(|l| l.kind == Kind::Expense).unwrap();
        assert_eq!(
            (paper.amount_fen, paper.note.as_deref()),
            (120_000, Some("打印纸\n墨盒"))
        );
    }
);
