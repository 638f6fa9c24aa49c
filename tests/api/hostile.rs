//! Hostile files: a picture that decodes to gigabytes, a workbook that unpacks to
//! gigabytes, a sheet with one cell a million rows down. Each is refused with a clear code,
//! in bounded memory and time, also when several arrive at once. Its own test binary, so
//! that the process's peak memory is this test's alone.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;
use sunlight_api::ledger::Line;
use sunlight_server::demo::DEMO_PASSWORD;
use sunlight_tests::{Backend, TestApp, expect_error, json};

const VILLAGE: &str = "359901101201";
const MONTH: &str = "2025-06";

/// A valid PNG of 11999×11999 grey pixels: half a megabyte that decodes to 144 MB of grey
/// (and to 576 MB once made RGBA).
fn png_bomb() -> Vec<u8> {
    use image::{
        ImageEncoder,
        codecs::png::{CompressionType, FilterType, PngEncoder},
    };
    let side = 11_999u32;
    let pixels = vec![0u8; (side * side) as usize];
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, FilterType::NoFilter)
        .write_image(&pixels, side, side, image::ExtendedColorType::L8)
        .unwrap();
    out
}

/// A workbook whose sheet unpacks to `sheet_bytes` of XML, repeating one row.
fn xlsx_bomb(sheet_bytes: usize) -> Vec<u8> {
    use std::io::Write;
    use zip::{CompressionMethod, ZipWriter, write::SimpleFileOptions};
    let mut zip = ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(CompressionMethod::Deflated);
    let part = |zip: &mut ZipWriter<_>, name: &str, body: &str| {
        zip.start_file(name, opts).unwrap();
        zip.write_all(body.as_bytes()).unwrap();
    };
    part(
        &mut zip,
        "[Content_Types].xml",
        r#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    );
    part(
        &mut zip,
        "_rels/.rels",
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    );
    part(
        &mut zip,
        "xl/workbook.xml",
        r#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    );
    part(
        &mut zip,
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
    );
    zip.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
    zip.write_all(br#"<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#)
        .unwrap();
    let row = br#"<row r="2"><c r="A2" t="inlineStr"><is><t>xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx</t></is></c></row>"#;
    let mut written = 0;
    while written < sheet_bytes {
        zip.write_all(row).unwrap();
        written += row.len();
    }
    zip.write_all(b"</sheetData></worksheet>").unwrap();
    zip.finish().unwrap().into_inner()
}

/// A small workbook with the header and one cell at the last row and column Excel has.
fn far_cell_xlsx() -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.write_string(0, 0, "日期").unwrap();
    sheet.write_string(1_048_575, 16_383, "x").unwrap();
    book.save_to_buffer().unwrap()
}

/// The process's peak resident memory since the last reset, in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

fn current_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// Starts counting the peak from now (Linux: writing 5 to clear_refs resets VmHWM).
fn reset_peak() {
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
}

/// Generous bounds: a refusal must not decode the bomb, whatever the machine's speed.
const MEMORY_BOUND: u64 = 256 * 1024 * 1024;
const TIME_BOUND: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn bombs_are_refused_in_bounded_memory_and_time() {
    let app = TestApp::spawn(Backend::Sqlite).await.unwrap();
    app.demo().await;
    app.sign_in("13800000002", DEMO_PASSWORD).await;
    let body = json!({"date": format!("{MONTH}-02"), "kind": "expense", "amount": "88", "category": "办公费", "counterparty": "文具店"});
    let line: Line = json(
        app.post(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/lines"), &body)
            .await,
    )
    .await;

    let png = png_bomb();
    assert!(
        png.len() < 2 * 1024 * 1024,
        "the bomb is small on the wire ({} bytes)",
        png.len()
    );
    let xlsx = xlsx_bomb(48 * 1024 * 1024);
    assert!(
        xlsx.len() < 2 * 1024 * 1024,
        "the workbook is small on the wire ({} bytes)",
        xlsx.len()
    );
    let far = far_cell_xlsx();

    let before = current_rss();
    reset_peak();
    let started = Instant::now();
    // Three picture bombs at once, and two workbook bombs beside them.
    let upload = |bytes: Vec<u8>| {
        app.client
            .post(app.url(&format!("api/ledger-lines/{}/attachments", line.id)))
            .header("content-type", "image/png")
            .header(sunlight_api::CSRF_HEADER, "1")
            .body(bytes)
            .send()
    };
    let import = |bytes: Vec<u8>| {
        app.client
            .post(app.url(&format!("api/regions/{VILLAGE}/ledger/{MONTH}/import")))
            .header("content-type", "application/octet-stream")
            .header(sunlight_api::CSRF_HEADER, "1")
            .body(bytes)
            .send()
    };
    let (a, b, c, d, e, f) = tokio::join!(
        upload(png.clone()),
        upload(png.clone()),
        upload(png),
        import(xlsx.clone()),
        import(xlsx),
        import(far)
    );
    let elapsed = started.elapsed();
    let peak = peak_rss().saturating_sub(before);
    for res in [a, b, c] {
        expect_error(res.unwrap(), 413, "image_too_large").await;
    }
    for res in [d, e] {
        expect_error(res.unwrap(), 413, "spreadsheet_too_large").await;
    }
    let far = expect_error(f.unwrap(), 422, "invalid").await;
    assert_eq!(far.field.as_deref(), Some("file"));
    eprintln!(
        "bombs refused in {elapsed:?}, peak memory {} MB above the start",
        peak / (1024 * 1024)
    );
    assert!(elapsed < TIME_BOUND, "refusals took {elapsed:?}");
    assert!(peak < MEMORY_BOUND, "peak memory rose by {} MB", peak / (1024 * 1024));

    // Nothing was attached, and a real photo still goes through afterwards.
    let ok = image::RgbImage::from_pixel(64, 48, image::Rgb([200, 30, 30]));
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
        .encode_image(&ok)
        .unwrap();
    let res = upload(jpeg).await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
}
