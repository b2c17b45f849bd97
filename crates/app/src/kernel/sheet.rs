//! Reading and writing .xlsx: community data lives in Excel today, so the cells are read as a person
//! typed them (numbers without a trailing `.0`, dates as YYYY-MM-DD) and written as text where it matters.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use rust_xlsxwriter::{Format, Workbook};

use crate::{AppError, AppResult};

/// The biggest upload accepted.
pub const MAX_UPLOAD_BYTES: usize = 10 * 1024 * 1024;

/// A read sheet: header row and data rows as text, with which cells held plain numbers.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// Header cells.
    pub headers: Vec<String>,
    /// Data rows (row numbers as Excel shows them start at 2).
    pub rows: Vec<Vec<Cell>>,
}

/// One cell as text, remembering whether Excel stored it as a number (long ID numbers lose digits then).
#[derive(Debug, Clone, Default)]
pub struct Cell {
    /// The text.
    pub text: String,
    /// Stored as a number.
    pub numeric: bool,
}

fn cell_text(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::default(),
        Data::String(s) => Cell {
            text: s.clone(),
            numeric: false,
        },
        Data::Int(i) => Cell {
            text: i.to_string(),
            numeric: true,
        },
        Data::Float(f) => {
            let text = if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            };
            Cell {
                text,
                numeric: true,
            }
        }
        Data::Bool(b) => Cell {
            text: if *b { "是".into() } else { "否".into() },
            numeric: false,
        },
        Data::DateTime(dt) => Cell {
            text: dt
                .as_datetime()
                .map(|d| d.date().format("%Y-%m-%d").to_string())
                .unwrap_or_default(),
            numeric: false,
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell {
            text: s.clone(),
            numeric: false,
        },
        Data::Error(e) => Cell {
            text: format!("#{e:?}"),
            numeric: false,
        },
    }
}

/// Reads the first worksheet of an .xlsx file; refuses non-xlsx data, oversized files and formulas.
pub fn read_first_sheet(bytes: &[u8]) -> AppResult<Sheet> {
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(AppError::upload(
            "文件超过10MB，请拆分后再导入",
            "the file is larger than 10 MB",
        ));
    }
    if !bytes.starts_with(b"PK\x03\x04") {
        return Err(AppError::upload(
            "文件不是有效的 .xlsx 表格（请在Excel中另存为 .xlsx）",
            "the file is not an .xlsx workbook",
        ));
    }
    let mut wb: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).map_err(|_| {
            AppError::upload(
                "无法读取该 .xlsx 文件，文件可能已损坏",
                "the .xlsx file cannot be read",
            )
        })?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| AppError::upload("表格中没有工作表", "the workbook has no sheet"))?;
    let formulas = wb
        .worksheet_formula(&name)
        .map_err(|_| AppError::upload("无法读取工作表", "the sheet cannot be read"))?;
    if formulas.used_cells().any(|(_, _, f)| !f.is_empty()) {
        return Err(AppError::upload(
            "表格中含有公式，请复制后“选择性粘贴为数值”再导入",
            "the sheet contains formulas; paste them as values first",
        ));
    }
    let range = wb
        .worksheet_range(&name)
        .map_err(|_| AppError::upload("无法读取工作表", "the sheet cannot be read"))?;
    let mut rows = range.rows();
    let headers: Vec<String> = rows
        .next()
        .ok_or_else(|| AppError::upload("表格为空，缺少表头", "the sheet is empty"))?
        .iter()
        .map(|d| cell_text(d).text.trim().to_owned())
        .collect();
    let rows = rows
        .map(|r| r.iter().map(cell_text).collect::<Vec<_>>())
        .collect::<Vec<_>>();
    Ok(Sheet { headers, rows })
}

/// Writes one sheet with a bold header row; every column is stored as text so that ID numbers keep all
/// [`read_first_sheet`] on a blocking thread: parsing a 10 MB workbook takes CPU for long enough to
/// stall every request that shares its runtime worker.
pub async fn read_first_sheet_apart(bytes: &[u8]) -> AppResult<Sheet> {
    let owned = bytes.to_vec();
    tokio::task::spawn_blocking(move || read_first_sheet(&owned))
        .await
        .map_err(|e| AppError::Internal(format!("reading a sheet: {e}")))?
}

/// [`write_sheet`] on a blocking thread (a 200,000-row sheet is seconds of CPU); returns the file and
/// its row count.
pub async fn write_sheet_apart(
    sheet_name: &'static str,
    headers: &'static [&'static str],
    rows: Vec<Vec<String>>,
) -> AppResult<(Vec<u8>, usize)> {
    let n = rows.len();
    let bytes = tokio::task::spawn_blocking(move || write_sheet(sheet_name, headers, &rows))
        .await
        .map_err(|e| AppError::Internal(format!("writing a sheet: {e}")))??;
    Ok((bytes, n))
}

/// 18 digits when the file is opened and saved again.
pub fn write_sheet(sheet_name: &str, headers: &[&str], rows: &[Vec<String>]) -> AppResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Internal(format!("xlsx: {e}"));
    ws.set_name(sheet_name).map_err(err)?;
    let bold = Format::new().set_bold().set_background_color(0xE8F0FE);
    let text = Format::new().set_num_format("@");
    // A value a spreadsheet could read as a formula (`=HYPERLINK(...)`, `+1`, `-1`, `@SUM`) keeps the
    // quote prefix, so that editing and saving the cell never turns it into one.
    let quoted = Format::new().set_num_format("@").set_quote_prefix();
    for (i, h) in headers.iter().enumerate() {
        let col = i as u16;
        ws.set_column_width(col, if h.contains("身份证") { 22 } else { 14 })
            .map_err(err)?;
        ws.set_column_format(col, &text).map_err(err)?;
        ws.write_string_with_format(0, col, *h, &bold)
            .map_err(err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                let f = if looks_like_formula(v) {
                    &quoted
                } else {
                    &text
                };
                ws.write_string_with_format(r as u32 + 1, c as u16, v, f)
                    .map_err(err)?;
            }
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    wb.save_to_buffer().map_err(err)
}

/// Whether a spreadsheet would take a typed value for a formula (CSV/formula injection).
pub fn looks_like_formula(v: &str) -> bool {
    v.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_like_values_keep_a_quote_prefix() {
        let bytes = write_sheet(
            "居民",
            &["姓名", "备注"],
            &[vec!["=HYPERLINK(\"http://x\")".into(), "张三".into()]],
        )
        .unwrap();
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(&bytes)).unwrap();
        let mut styles = String::new();
        std::io::Read::read_to_string(&mut zip.by_name("xl/styles.xml").unwrap(), &mut styles)
            .unwrap();
        assert!(styles.contains("quotePrefix=\"1\""), "{styles}");
        // The value itself is kept exactly, as a string cell, not a formula.
        let s = read_first_sheet(&bytes).unwrap();
        assert_eq!(s.rows[0][0].text, "=HYPERLINK(\"http://x\")");
        assert!(looks_like_formula("-1") && looks_like_formula("@SUM(A1)"));
        assert!(!looks_like_formula("张三") && !looks_like_formula("138"));
    }

    #[test]
    fn written_sheets_read_back_as_text() {
        let bytes = write_sheet(
            "居民",
            &["姓名", "身份证号"],
            &[vec!["张三".into(), "11010519491231002X".into()]],
        )
        .unwrap();
        let s = read_first_sheet(&bytes).unwrap();
        assert_eq!(s.headers, vec!["姓名", "身份证号"]);
        assert_eq!(s.rows[0][1].text, "11010519491231002X");
        assert!(!s.rows[0][1].numeric);
    }

    #[test]
    fn non_xlsx_is_refused() {
        assert!(matches!(
            read_first_sheet(b"name,id\n"),
            Err(AppError::BadUpload { .. })
        ));
        assert!(matches!(
            read_first_sheet(b"PK\x03\x04garbage"),
            Err(AppError::BadUpload { .. })
        ));
    }

    #[test]
    fn formulas_are_refused() {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(0, 0, "姓名").unwrap();
        ws.write_formula(1, 0, "=1+1").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        assert!(matches!(
            read_first_sheet(&bytes),
            Err(AppError::BadUpload { .. })
        ));
    }
}
