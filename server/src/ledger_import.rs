//! Reading a month of ledger lines from a spreadsheet: XLSX (or old XLS) as Excel saves
//! it, or CSV in UTF-8 or GBK (Excel's "CSV" on Chinese Windows). Columns are found by
//! their header names, in any order. Nothing here touches the database; the handler saves
//! every row or none.
//!
//! **Rounding rule for spreadsheet numbers.** Excel stores amounts as binary floating
//! point, so 1234.565 may arrive as 1234.56499999. An amount cell that holds a number is
//! first written out with six decimals, then rounded to the fen (two decimals) with halves
//! rounded away from zero: 1234.565 → ¥1,234.57, 0.125 → ¥0.13. An amount typed as text
//! must have at most two decimals, like one typed on the phone.

use std::io::Cursor;

use calamine::{Data, DataType, Reader};
use sunlight_api::{
    date::{Date, Month},
    error::{FieldError, RowError},
    ledger::{Kind, LineInput},
};

/// The columns of the template, in its order: (header, field, required).
pub const COLUMNS: &[(&str, &str, bool)] = &[
    ("日期", "date", true),
    ("收支", "kind", true),
    ("金额", "amount", true),
    ("科目", "category", true),
    ("收付款方", "counterparty", true),
    ("是否个人", "counterparty_is_person", false),
    ("发票号", "invoice_no", false),
    ("备注", "note", false),
];

/// Example rows of the template: a spending and an income line (their dates are set to
/// the month the template is for).
const EXAMPLES: [[&str; 8]; 2] = [
    [
        "",
        "支出",
        "456.70",
        "办公费",
        "云溪文具店",
        "否",
        "INV-20261103",
        "打印纸",
    ],
    ["", "收入", "2500", "租赁收入", "陈国强", "是", "", "鱼塘承包费"],
];

/// The downloadable template, an XLSX workbook as Excel on a village office's computer
/// opens it: the header and two example rows, amounts as numbers, text columns wide. The
/// examples are dated in `month` and not after `today` (the 1st, and the 20th or today or
/// the month's last day, whichever is first), so the template imports as it is.
pub fn template_xlsx(month: Month, today: Date) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let last = if month.contains(&today) {
        today
    } else {
        month.last_day()
    };
    let second = Date {
        day: last.day.min(20),
        ..last
    };
    let dates = [Date { day: 1, ..last }.to_string(), second.to_string()];
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("台账")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (c, (header, _, _)) in COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *header, &bold)?;
        sheet.set_column_width(c as u16, if c == 4 || c == 7 { 18 } else { 12 })?;
    }
    for (r, row) in EXAMPLES.iter().enumerate() {
        for (c, value) in row.iter().enumerate() {
            let (r, c) = (r as u32 + 1, c as u16);
            match (c, value.parse::<f64>()) {
                (0, _) => sheet.write_string(r, c, &dates[r as usize - 1])?,
                (2, Ok(n)) => sheet.write_number(r, c, n)?,
                _ => sheet.write_string(r, c, *value)?,
            };
        }
    }
    book.save_to_buffer()
}

const MAX_ROWS: usize = 2000;

/// One data row: its line number in the file and its cells as text.
type Row = (u32, Vec<String>);

/// Why the file as a whole could not be read.
#[derive(Debug, PartialEq, Eq)]
pub enum ReadError {
    /// Not a spreadsheet we can read, or empty.
    Unreadable,
    /// Header columns that are missing.
    MissingColumns(Vec<RowError>),
    TooManyRows,
    /// A workbook that unpacks to more than [`MAX_UNPACKED`] bytes, or holds cells far
    /// beyond any month's lines: refused before anything is parsed.
    TooBig,
}

/// The most a workbook may unpack to, all its parts together. A month of 2,000 lines is
/// well under 2 MB of sheet XML.
pub const MAX_UNPACKED: u64 = 32 * 1024 * 1024;
/// Parts a workbook may have (sheets, styles, relations...).
const MAX_PARTS: usize = 200;
/// Columns read; the template has eight.
const MAX_COLUMNS: u32 = 32;

/// One data row of the file.
#[derive(Debug)]
pub struct ImportRow {
    /// 1-based line number in the file (the header is line 1).
    pub line: u32,
    pub input: LineInput,
    /// Set when the 收支 column is neither 收入 nor 支出; `input.kind` is then a placeholder.
    pub kind_error: Option<FieldError>,
}

/// Reads the file into rows; rows that are wholly empty are skipped.
pub fn read(bytes: &[u8]) -> Result<Vec<ImportRow>, ReadError> {
    let grid = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]) {
        read_workbook(bytes)?
    } else {
        read_text(bytes)?
    };
    let mut rows = grid.into_iter();
    let (_, header) = rows.next().ok_or(ReadError::Unreadable)?;
    let mut index = Vec::new();
    let mut missing = Vec::new();
    for (name, field, required) in COLUMNS {
        let at = header.iter().position(|h| h.trim().starts_with(name));
        if at.is_none() && *required {
            missing.push(RowError {
                row: 1,
                field: (*field).to_owned(),
                code: FieldError::Required,
            });
        }
        index.push(at);
    }
    if !missing.is_empty() {
        return Err(ReadError::MissingColumns(missing));
    }
    let cell = |cells: &[String], i: usize| {
        index[i]
            .and_then(|at| cells.get(at))
            .map(|s| s.trim().to_owned())
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (line, cells) in rows {
        if cells.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        if out.len() >= MAX_ROWS {
            return Err(ReadError::TooManyRows);
        }
        let kind_text = cell(&cells, 1);
        let (kind, kind_error) = match kind_text.as_str() {
            "收入" | "收" | "income" => (Kind::Income, None),
            "支出" | "支" | "expense" => (Kind::Expense, None),
            "" => (Kind::Expense, Some(FieldError::Required)),
            _ => (Kind::Expense, Some(FieldError::BadFormat)),
        };
        out.push(ImportRow {
            line,
            input: LineInput {
                date: cell(&cells, 0),
                kind,
                amount: cell(&cells, 2),
                category: cell(&cells, 3),
                counterparty: cell(&cells, 4),
                counterparty_is_person: matches!(cell(&cells, 5).as_str(), "是" | "Y" | "y" | "yes" | "1"),
                invoice_no: cell(&cells, 6),
                note: cell(&cells, 7),
            },
            kind_error,
        });
    }
    if out.is_empty() {
        return Err(ReadError::Unreadable);
    }
    Ok(out)
}

/// Reads CSV as a whole, so that a quoted cell may hold commas and line breaks. Each row
/// is numbered by the line of the file it starts on; blank lines are skipped.
fn read_text(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.trim_start_matches('\u{feff}').to_owned(),
        Err(_) => {
            let (s, _, bad) = encoding_rs::GBK.decode(bytes);
            if bad {
                return Err(ReadError::Unreadable);
            }
            s.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // Lines are counted from the record's byte offset: the reader counts records, and a
    // line break inside a quoted cell would put every later row's number off by one.
    let (mut counted_to, mut line) = (0usize, 1u32);
    for record in reader.records() {
        let record = record.map_err(|_| ReadError::Unreadable)?;
        // The reader's offset may point at the line breaks (and blank lines) before it.
        let mut start = record.position().map_or(counted_to, |p| p.byte() as usize);
        while matches!(text.as_bytes().get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        line += text.as_bytes()[counted_to..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count() as u32;
        counted_to = start;
        // A line break inside a cell is kept as one "\n", as typed on the phone.
        rows.push((line, record.iter().map(|c| c.replace("\r\n", "\n")).collect()));
    }
    Ok(rows)
}

fn read_workbook(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    if !bytes.starts_with(b"PK\x03\x04") {
        return read_xls(bytes);
    }
    check_unpacked_size(bytes)?;
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    let first = book.sheet_names().first().cloned().ok_or(ReadError::Unreadable)?;
    // Cell by cell, as the sheet's XML streams by: a dense grid of the sheet's extent would
    // let one far-away cell ask for gigabytes.
    let mut cells = book.worksheet_cells_reader(&first).map_err(|_| ReadError::Unreadable)?;
    let mut grid: std::collections::BTreeMap<u32, Vec<String>> = Default::default();
    while let Some(cell) = cells.next_cell().map_err(|_| ReadError::Unreadable)? {
        let (row, col) = cell.get_position();
        // The header, the lines, and some empty rows between them.
        if row as usize > 2 * MAX_ROWS {
            return Err(ReadError::TooManyRows);
        }
        if col >= MAX_COLUMNS {
            continue;
        }
        let cells = grid.entry(row).or_default();
        if cells.len() <= col as usize {
            cells.resize(col as usize + 1, String::new());
        }
        cells[col as usize] = cell_text(&Data::from(cell.get_value().clone()));
    }
    Ok(grid.into_iter().map(|(row, cells)| (row + 1, cells)).collect())
}

/// Old binary .xls workbooks: not compressed, and at most 65,536 × 256 cells by format.
fn read_xls(bytes: &[u8]) -> Result<Vec<Row>, ReadError> {
    let mut book = calamine::open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    let range = book
        .worksheet_range_at(0)
        .ok_or(ReadError::Unreadable)?
        .map_err(|_| ReadError::Unreadable)?;
    let first_row = range.start().map(|(r, _)| r).unwrap_or(0);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, row)| (first_row + i as u32 + 1, row.iter().map(cell_text).collect()))
        .collect())
}

/// Inflates every part of a workbook into nothing, counting, and refuses it once the parts
/// together pass [`MAX_UNPACKED`] — whatever sizes the archive claims, and before any XML
/// is parsed. Memory stays at the inflater's window.
fn check_unpacked_size(bytes: &[u8]) -> Result<(), ReadError> {
    use std::io::Read;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| ReadError::Unreadable)?;
    if zip.len() > MAX_PARTS {
        return Err(ReadError::TooBig);
    }
    let mut left = MAX_UNPACKED;
    for i in 0..zip.len() {
        let part = zip.by_index(i).map_err(|_| ReadError::Unreadable)?;
        if part.size() > left {
            return Err(ReadError::TooBig);
        }
        let read = std::io::copy(&mut part.take(left + 1), &mut std::io::sink()).map_err(|_| ReadError::Unreadable)?;
        if read > left {
            return Err(ReadError::TooBig);
        }
        left -= read;
    }
    Ok(())
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => format!("{i}"),
        Data::Float(f) => fen_text(*f),
        Data::Bool(b) => if *b { "是" } else { "否" }.to_owned(),
        Data::DateTime(_) => d
            .as_date()
            .map(|dt| dt.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        Data::Error(_) => "\u{0}".to_owned(),
    }
}

/// Applies the rounding rule above to a spreadsheet number and writes it with at most
/// two decimals.
pub fn fen_text(v: f64) -> String {
    if !v.is_finite() {
        return String::from("\u{0}");
    }
    let s = format!("{:.6}", v.abs());
    let (whole, frac) = s.split_once('.').unwrap_or((&s, "000000"));
    let Ok(whole) = whole.parse::<i64>() else {
        return String::from("\u{0}");
    };
    let digits: Vec<i64> = frac.bytes().map(|b| i64::from(b - b'0')).collect();
    let mut fen = whole * 100 + digits[0] * 10 + digits[1];
    if digits[2] >= 5 {
        fen += 1;
    }
    let sign = if v < 0.0 && fen > 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", fen / 100, fen % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_reads_back() {
        let month = Month { year: 2026, month: 2 };
        let today = Date {
            year: 2026,
            month: 2,
            day: 9,
        };
        let rows = read(&template_xlsx(month, today).unwrap()).unwrap();
        assert_eq!(rows.len(), 2);
        // Dated in the month asked for, not after today.
        assert_eq!(
            (rows[0].input.date.as_str(), rows[1].input.date.as_str()),
            ("2026-02-01", "2026-02-09")
        );
        let rows = read(
            &template_xlsx(
                month,
                Date {
                    year: 2026,
                    month: 5,
                    day: 1,
                },
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(rows[1].input.date, "2026-02-20");
        assert_eq!(rows[0].input.amount, "456.70");
        assert_eq!(rows[1].input.kind, Kind::Income);
        assert!(rows[1].input.counterparty_is_person);
    }

    #[test]
    fn the_rounding_rule() {
        assert_eq!(fen_text(1234.565), "1234.57");
        // Float noise below a millionth is not a real amount: it rounds as what was meant.
        assert_eq!(fen_text(1234.56499999), "1234.57");
        assert_eq!(fen_text(1234.5649), "1234.56");
        assert_eq!(fen_text(0.125), "0.13");
        assert_eq!(fen_text(0.1 + 0.2), "0.30");
        assert_eq!(fen_text(100.0), "100.00");
        assert_eq!(fen_text(-5.005), "-5.01");
    }

    #[test]
    fn csv_in_utf8_and_gbk_with_columns_in_any_order() {
        let text = "\u{feff}收付款方,日期,金额,科目,收支\n文具店,2026-11-03,12.5,办公费,支出\n\n陈国强,2026-11-04,3,租赁收入,收入\n";
        let rows = read(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[1].line, 4);
        assert_eq!(rows[1].input.kind, Kind::Income);
        assert_eq!(rows[0].input.counterparty, "文具店");
        let (gbk, _, _) = encoding_rs::GBK.encode(text.trim_start_matches('\u{feff}'));
        assert_eq!(read(&gbk).unwrap()[0].input.category, "办公费");
    }

    #[test]
    fn a_quoted_cell_keeps_its_line_break_and_commas() {
        let text = "日期,收支,金额,科目,收付款方,备注\n2026-11-01,支出,1,办公费,店,\"第一行\n第二行, 还有逗号\"\n2026-11-02,支出,2,办公费,店,x\n";
        let rows = read(text.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].input.note, "第一行\n第二行, 还有逗号");
        assert_eq!((rows[0].line, rows[1].line), (2, 4));
        assert_eq!(rows[1].input.amount, "2");
    }

    #[test]
    fn missing_columns_and_bad_kinds_are_named() {
        let Err(ReadError::MissingColumns(m)) = read("日期,金额\n2026-11-01,1\n".as_bytes()) else {
            panic!()
        };
        let fields: Vec<&str> = m.iter().map(|r| r.field.as_str()).collect();
        assert_eq!(fields, vec!["kind", "category", "counterparty"]);
        let rows = read("日期,收支,金额,科目,收付款方,备注\n2026-11-01,转账,1,办公费,店,说明\n".as_bytes()).unwrap();
        assert_eq!(rows[0].kind_error, Some(FieldError::BadFormat));
        assert_eq!(rows[0].input.note, "说明");
        assert_eq!(read(b"").err(), Some(ReadError::Unreadable));
    }
}
