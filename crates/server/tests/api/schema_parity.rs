//! The two migration sets give the same tables and columns.

use std::collections::BTreeMap;

fn tables(sql: &str) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let mut current: Option<(String, Vec<String>)> = None;
    for line in sql.lines() {
        let l = line.trim();
        if let Some(rest) = l.strip_prefix("ALTER TABLE ") {
            // `ALTER TABLE t ADD COLUMN c ...;` adds one column to a table made earlier; `DROP COLUMN c;`
            // takes one away.
            let w: Vec<&str> = rest.split_whitespace().collect();
            match w[..] {
                [table, "ADD", "COLUMN", col, ..] => out
                    .entry(table.to_owned())
                    .or_insert_with(Vec::new)
                    .push(col.to_owned()),
                [table, "DROP", "COLUMN", col] => {
                    let col = col.trim_end_matches(';');
                    out.entry(table.to_owned())
                        .or_insert_with(Vec::new)
                        .retain(|c| c != col);
                }
                _ => {}
            }
        } else if let Some(rest) = l.strip_prefix("DROP TABLE ") {
            out.remove(rest.trim_end_matches(';'));
        } else if let Some(rest) = l.strip_prefix("CREATE TABLE ") {
            current = Some((
                rest.split_whitespace().next().unwrap().to_owned(),
                Vec::new(),
            ));
        } else if l.starts_with(")") {
            if let Some((name, cols)) = current.take() {
                out.insert(name, cols);
            }
        } else if let Some((_, cols)) = current.as_mut() {
            let word = l.split_whitespace().next().unwrap_or("");
            if !word.is_empty() && !word.starts_with("--") && word != "PRIMARY" {
                cols.push(word.to_owned());
            }
        }
    }
    out
}

fn migrations(dialect: &str) -> Vec<(String, String)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(dialect);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect()
}

#[test]
fn sqlite_and_postgres_migrations_define_the_same_tables_and_columns() {
    let s = migrations("sqlite");
    let p = migrations("postgres");
    assert_eq!(
        s.iter().map(|x| &x.0).collect::<Vec<_>>(),
        p.iter().map(|x| &x.0).collect::<Vec<_>>(),
        "same migration files"
    );
    let all = |m: &[(String, String)]| m.iter().map(|x| x.1.clone()).collect::<Vec<_>>().join("\n");
    let (ts, tp) = (tables(&all(&s)), tables(&all(&p)));
    assert!(ts.len() >= 10, "{ts:?}");
    assert_eq!(ts, tp);
}

#[tokio::test]
async fn the_live_schemas_match_when_postgres_is_available() {
    let t = crate::common::spawn().await;
    let mut c = t.app.db.read().await.unwrap();
    let cols: Vec<(String, String)> = match c.conn() {
        wushe_store::Conn::Sqlite(c) => sqlx::query_as(
            "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' ORDER BY 1, 2",
        )
        .fetch_all(c)
        .await
        .unwrap(),
        wushe_store::Conn::Postgres(c) => sqlx::query_as(
            "SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' ORDER BY 1, 2",
        )
        .fetch_all(c)
        .await
        .unwrap(),
    };
    let expected: Vec<(String, String)> = {
        let s = migrations(if t.backend == "sqlite" {
            "sqlite"
        } else {
            "postgres"
        });
        let mut v: Vec<(String, String)> =
            tables(&s.iter().map(|x| x.1.clone()).collect::<Vec<_>>().join("\n"))
                .into_iter()
                .flat_map(|(t, cs)| cs.into_iter().map(move |c| (t.clone(), c)))
                .collect();
        v.sort();
        v
    };
    assert_eq!(
        cols, expected,
        "the {} database has exactly the columns its migrations declare",
        t.backend
    );
}
