//! Point 5: Excel in and out — template, dry run, all-or-nothing import, re-import creates nothing, export.

use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::common::{id_number, map, spawn, TestApp};

/// Builds an .xlsx with the given header and rows (all text).
pub fn xlsx(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

pub const HEADERS: [&str; 10] = [
    "姓名",
    "性别",
    "身份证号",
    "联系电话",
    "出生日期",
    "网格",
    "楼栋",
    "门牌",
    "与户主关系",
    "标签",
];

fn row(name: &str, idn: &str, grid: &str, building: &str, door: &str) -> Vec<String> {
    vec![
        name.into(),
        String::new(),
        idn.into(),
        "13900001111".into(),
        String::new(),
        grid.into(),
        building.into(),
        door.into(),
        "户主".into(),
        "党员".into(),
    ]
}

pub async fn upload(t: &TestApp, token: &str, bytes: Vec<u8>, dry_run: bool) -> (u16, Value) {
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("居民.xlsx"),
        )
        .text("dry_run", dry_run.to_string());
    let r = t
        .http
        .post(t.url("/api/v1/imports/residents"))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn dry_run_lists_every_bad_row_and_writes_nothing() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let bad_id = {
        let mut s = id_number("19700101", 3);
        s.pop();
        s.push('0');
        if s == id_number("19700101", 3) {
            s.pop();
            s.push('1');
        }
        s
    };
    let rows = vec![
        row("张三", &id_number("19700101", 1), "第一网格", "1栋", "101"),
        row("李四", &bad_id, "第一网格", "1栋", "102"),
        row("王五", &id_number("19700101", 5), "第九网格", "1栋", "103"),
        row("", &id_number("19700101", 7), "第一网格", "1栋", "104"),
        row("赵六", &id_number("19700101", 1), "第一网格", "1栋", "105"),
    ];
    let (s, rep) = upload(&t, &worker, xlsx(&HEADERS, &rows), true).await;
    assert_eq!(s, 200, "{rep}");
    assert_eq!(rep["dry_run"], true);
    assert_eq!(rep["created"], 1);
    let errs = rep["errors"].as_array().unwrap();
    let by_row: Vec<(u64, &str)> = errs
        .iter()
        .map(|e| (e["row"].as_u64().unwrap(), e["field"].as_str().unwrap()))
        .collect();
    assert!(by_row.contains(&(3, "身份证号")), "{by_row:?}");
    assert!(by_row.contains(&(4, "网格")), "{by_row:?}");
    assert!(by_row.contains(&(5, "姓名")), "{by_row:?}");
    assert!(
        by_row.contains(&(6, "身份证号")),
        "duplicate inside the file: {by_row:?}"
    );
    assert_eq!(t.resident_count().await, 0);
    assert_eq!(
        t.get("/api/v1/households", &t.admin).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
}

#[tokio::test]
async fn import_writes_valid_rows_and_the_same_file_twice_creates_nothing() {
    let t = spawn().await;
    let m = map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    let rows: Vec<Vec<String>> = (0..30)
        .map(|i| {
            row(
                &format!("居民{i}"),
                &id_number("19650101", i * 2 + 1),
                "第一网格",
                "1栋",
                &format!("{}", 101 + i / 3),
            )
        })
        .collect();
    let bytes = xlsx(&HEADERS, &rows);
    let (s, rep) = upload(&t, &worker, bytes.clone(), false).await;
    assert_eq!(s, 200, "{rep}");
    assert_eq!(rep["created"], 30);
    assert_eq!(rep["households_created"], 10);
    assert_eq!(t.resident_count().await, 30);
    let (_, rep2) = upload(&t, &worker, bytes, false).await;
    assert_eq!(rep2["created"], 0);
    assert_eq!(rep2["unchanged"], 30);
    assert_eq!(rep2["households_created"], 0);
    assert_eq!(t.resident_count().await, 30);
    // A changed phone updates instead of creating.
    let mut changed = rows.clone();
    changed[0][3] = "13700002222".into();
    let (_, rep3) = upload(&t, &worker, xlsx(&HEADERS, &changed), false).await;
    assert_eq!(
        (rep3["created"].as_i64(), rep3["updated"].as_i64()),
        (Some(0), Some(1))
    );
    // Export uses the import layout and masks unless asked and allowed.
    let r = t
        .http
        .get(t.url("/api/v1/residents/export.xlsx?tag=%E5%85%9A%E5%91%98"))
        .bearer_auth(&t.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("spreadsheetml"));
    let sheet = wushe_app::kernel::sheet::read_first_sheet(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(sheet.headers, HEADERS);
    assert_eq!(sheet.rows.len(), 30);
    assert!(sheet.rows[0][2].text.contains("********"));
    let r = t
        .http
        .get(t.url("/api/v1/residents/export.xlsx?unmask=true"))
        .bearer_auth(&t.admin)
        .send()
        .await
        .unwrap();
    let sheet = wushe_app::kernel::sheet::read_first_sheet(&r.bytes().await.unwrap()).unwrap();
    assert!(!sheet.rows[0][2].text.contains('*'));
    // The unmasked export can be imported back as it is: nothing changes.
    let (_, back) = upload(
        &t,
        &worker,
        wushe_app::kernel::sheet::write_sheet(
            "居民",
            &HEADERS,
            &sheet
                .rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect())
                .collect::<Vec<_>>(),
        )
        .unwrap(),
        false,
    )
    .await;
    assert_eq!(back["created"], 0, "{back}");
    assert_eq!(back["updated"], 0, "{back}");
}

#[tokio::test]
async fn bad_files_are_refused_with_a_problem() {
    let t = spawn().await;
    map(&t).await;
    let (s, b) = upload(&t, &t.admin, b"name,id\n".to_vec(), false).await;
    assert_eq!((s, b["code"].as_str()), (400, Some("invalid_upload")));
    let (s, b) = upload(
        &t,
        &t.admin,
        xlsx(
            &["姓名", "身份证号"],
            &[vec!["张三".into(), id_number("19700101", 1)]],
        ),
        false,
    )
    .await;
    assert_eq!(s, 400);
    assert!(b["detail"].as_str().unwrap().contains("缺少表头"), "{b}");
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_formula(1, 0, "=\"张\"&\"三\"").unwrap();
    let (s, b) = upload(&t, &t.admin, wb.save_to_buffer().unwrap(), false).await;
    assert_eq!(s, 400);
    assert!(b["detail"].as_str().unwrap().contains("公式"), "{b}");
    let mut big = b"PK\x03\x04".to_vec();
    big.resize(11 * 1024 * 1024, b'x');
    let (s, b) = upload(&t, &t.admin, big, false).await;
    assert_eq!(s, 413, "{b}");
    let form = reqwest::multipart::Form::new().text("dry_run", "true");
    let r = t
        .http
        .post(t.url("/api/v1/imports/residents"))
        .bearer_auth(&t.admin)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(t.resident_count().await, 0);
}

#[tokio::test]
async fn numeric_id_cells_and_the_template() {
    let t = spawn().await;
    map(&t).await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "钱七").unwrap();
    ws.write_number(1, 2, 430104197001010000.0).unwrap();
    ws.write_string(1, 5, "第一网格").unwrap();
    ws.write_string(1, 6, "1栋").unwrap();
    ws.write_string(1, 7, "101").unwrap();
    let (_, rep) = upload(&t, &t.admin, wb.save_to_buffer().unwrap(), true).await;
    assert_eq!(rep["errors"][0]["field"], "身份证号");
    assert!(rep["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("文本"));
    let r = t
        .http
        .get(t.url("/api/v1/imports/residents/template.xlsx"))
        .bearer_auth(&t.admin)
        .send()
        .await
        .unwrap();
    let sheet = wushe_app::kernel::sheet::read_first_sheet(&r.bytes().await.unwrap()).unwrap();
    assert_eq!(sheet.headers, HEADERS);
}

#[tokio::test]
async fn an_optional_community_column_tells_apart_grids_of_the_same_name() {
    let t = spawn().await;
    let m = map(&t).await;
    let rows = vec![row(
        "孙一",
        &id_number("19700101", 1),
        "第一网格",
        "1栋",
        "101",
    )];
    let (_, rep) = upload(&t, &t.admin, xlsx(&HEADERS, &rows), true).await;
    assert_eq!(
        rep["errors"][0]["field"], "网格",
        "two communities have a 第一网格: {rep}"
    );
    let mut headers = HEADERS.to_vec();
    headers.push("社区");
    let mut r = rows[0].clone();
    r.push("龙王港社区".into());
    let (_, rep) = upload(&t, &t.admin, xlsx(&headers, &[r.clone()]), false).await;
    assert_eq!(rep["created"], 1, "{rep}");
    let list = t
        .get(
            &format!("/api/v1/residents?place_id={}", m.community_b),
            &t.admin,
        )
        .await
        .expect(200);
    assert_eq!(list["items"][0]["name"], "孙一");
    r[10] = "不存在社区".into();
    let (_, rep) = upload(&t, &t.admin, xlsx(&headers, &[r]), true).await;
    assert_eq!(rep["errors"][0]["field"], "社区");
}
