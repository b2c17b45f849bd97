//! Writes the two migration sets the `sqlx::migrate!` macros embed: every template in
//! `migrations/template/` rendered once per dialect, and the hand-written files of
//! `migrations/dialect/<dialect>/` (those whose SQL differs beyond types: triggers) as they are. The sets
//! are build output, not kept in git, so the two dialects cannot drift apart and nothing is written twice.
//!
//! A rendered file must stay byte for byte what it was when a database applied it (sqlx keeps each
//! migration's checksum): change a template only by adding a new one. That is also why the header still
//! names render.py, the script that rendered them before this build step did.

use std::fs;
use std::path::Path;

/// The dialects and what each template placeholder becomes in them.
const DIALECTS: [(&str, [(&str, &str); 5]); 2] = [
    (
        "sqlite",
        [
            ("{UUID}", "BLOB"),
            ("{TS}", "TEXT"),
            ("{DATE}", "TEXT"),
            ("{BYTES}", "BLOB"),
            ("{C}", ""),
        ],
    ),
    (
        "postgres",
        [
            ("{UUID}", "uuid"),
            ("{TS}", "timestamptz"),
            ("{DATE}", "date"),
            ("{BYTES}", "bytea"),
            ("{C}", " COLLATE \"C\""),
        ],
    ),
];

fn main() {
    let root = Path::new("migrations");
    println!("cargo:rerun-if-changed=migrations/template");
    println!("cargo:rerun-if-changed=migrations/dialect");
    for (dialect, types) in DIALECTS {
        let out = root.join(dialect);
        fs::create_dir_all(&out).expect("migrations directory");
        let mut wanted: Vec<String> = Vec::new();
        for entry in fs::read_dir(root.join("template")).expect("migrations/template") {
            let path = entry.expect("template entry").path();
            let Some(name) = sql_name(&path) else {
                continue;
            };
            let mut text = fs::read_to_string(&path).expect("template text");
            for (k, v) in types {
                text = text.replace(k, v);
            }
            let text =
                format!("-- Generated from migrations/template/{name} by render.py; edit the template.\n{text}");
            write_if_changed(&out.join(&name), &text);
            wanted.push(name);
        }
        for entry in fs::read_dir(root.join("dialect").join(dialect)).expect("migrations/dialect") {
            let path = entry.expect("dialect entry").path();
            let Some(name) = sql_name(&path) else {
                continue;
            };
            assert!(
                !wanted.contains(&name),
                "{name} is both a template and hand-written"
            );
            write_if_changed(
                &out.join(&name),
                &fs::read_to_string(&path).expect("dialect text"),
            );
            wanted.push(name);
        }
        // A migration removed from the sources leaves the set too.
        for entry in fs::read_dir(&out).expect("generated set") {
            let path = entry.expect("generated entry").path();
            if sql_name(&path).is_some_and(|n| !wanted.contains(&n)) {
                fs::remove_file(&path).expect("stale migration removed");
            }
        }
    }
}

fn sql_name(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?.to_owned();
    name.ends_with(".sql").then_some(name)
}

/// Writes only what changed, so that an unchanged set does not rebuild the crate.
fn write_if_changed(path: &Path, text: &str) {
    if fs::read_to_string(path).ok().as_deref() != Some(text) {
        fs::write(path, text).expect("migration written");
    }
}
