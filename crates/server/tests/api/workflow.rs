//! Issue 13, the workflow kernel: one timeline for every workflow, the upgrade that moved the four older
//! timelines into it, and grants on single records checked in SQL beside the place scope.

use serde_json::json;
use sqlx::Connection;
use uuid::Uuid;

use crate::common::{map, pg_url, spawn, spawn_with};

/// The demo community's orders, events, activities and projects all keep their steps in `workflow_steps`,
/// and each object's API timeline is exactly its rows there.
#[tokio::test]
async fn every_workflow_keeps_its_steps_in_the_one_timeline() {
    let t = spawn_with(true).await;
    let counts: Vec<(String, i64)> = {
        let mut c = t.app.db.read().await.unwrap();
        wushe_store::on!(&mut c.conn(), c => sqlx::query_as(
            "SELECT workflow, COUNT(*) FROM workflow_steps GROUP BY workflow ORDER BY workflow")
            .fetch_all(c).await)
        .unwrap()
    };
    let names: Vec<&str> = counts.iter().map(|(w, _)| w.as_str()).collect();
    assert_eq!(
        names,
        ["activity", "event", "order", "project"],
        "{counts:?}"
    );
    assert!(counts.iter().all(|(_, n)| *n > 0));

    // The board's counts were kept with every change, and `wushe check` finds them equal to the orders;
    // a count moved by hand is reported.
    assert_eq!(
        wushe_app::volunteering::points::check_ledgers(&t.app)
            .await
            .unwrap(),
        Vec::<String>::new()
    );
    {
        let mut tx = t.app.db.begin().await.unwrap();
        let mut c = tx.conn();
        wushe_store::on!(&mut c, c => sqlx::query(
            "UPDATE status_counts SET n = n + 1 WHERE workflow = 'order' AND bucket = '/' AND status = 'closed'")
            .execute(c).await.map(|_| ()))
        .unwrap();
        tx.commit().await.unwrap();
    }
    let problems = wushe_app::volunteering::points::check_ledgers(&t.app)
        .await
        .unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(problems[0].starts_with("工单计数 / closed"), "{problems:?}");

    for (path, workflow) in [
        ("/api/v1/orders?limit=1", "order"),
        ("/api/v1/events?limit=1", "event"),
        ("/api/v1/activities?limit=1", "activity"),
        ("/api/v1/projects?limit=1", "project"),
    ] {
        let list = t.get(path, &t.admin).await.expect(200);
        // Projects answer a bare array (a list of a community's quarter), the others a page.
        let first = list["items"].get(0).or_else(|| list.get(0)).unwrap();
        let id = first["id"].as_str().unwrap().to_owned();
        let base = path.split('?').next().unwrap();
        let one = t.get(&format!("{base}/{id}"), &t.admin).await.expect(200);
        let timeline = one["timeline"].as_array().unwrap();
        let rows: Vec<(String, String)> = {
            let mut c = t.app.db.read().await.unwrap();
            wushe_store::on!(&mut c.conn(), c => sqlx::query_as(
                "SELECT workflow, action FROM workflow_steps WHERE subject_id = $1 ORDER BY at, id")
                .bind(Uuid::parse_str(&id).unwrap()).fetch_all(c).await)
            .unwrap()
        };
        assert!(!rows.is_empty(), "{workflow} {id}");
        assert_eq!(timeline.len(), rows.len(), "{workflow} {one}");
        for (step, (w, action)) in timeline.iter().zip(&rows) {
            assert_eq!(w, workflow);
            assert_eq!(step["action"], action.as_str(), "{workflow} {step}");
        }
    }
}

/// An activity's steps carry their actions like every other timeline; creating one is `create`.
#[tokio::test]
async fn an_activity_timeline_names_its_actions() {
    let t = spawn().await;
    let m = map(&t).await;
    let a = t
        .post(
            "/api/v1/activities",
            &t.admin,
            json!({"community_id": m.community_a, "title": "敬老院探访", "place_text": "阳明敬老院", "starts_at": "2030-05-01T01:00:00Z",
                   "ends_at": "2030-05-01T03:00:00Z", "capacity": 5}),
        )
        .await
        .expect(201);
    let id = a["id"].as_str().unwrap();
    let published = t
        .post(
            &format!("/api/v1/activities/{id}/publish"),
            &t.admin,
            json!({}),
        )
        .await
        .expect(200);
    let actions: Vec<&str> = published["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["create", "publish"]);
    // The steps its caller may take come with it: the organiser may complete or cancel it, a volunteer
    // reading it none.
    assert_eq!(published["my_actions"], json!(["complete", "cancel"]));
    let reader = t.user("resident_a", "resident", Some(&m.building_a1)).await;
    let seen = t
        .get(&format!("/api/v1/activities/{id}"), &reader)
        .await
        .expect(200);
    assert_eq!(seen["my_actions"], json!([]));
    // A refused step names the steps allowed instead, from the same table.
    let again = t
        .post(
            &format!("/api/v1/activities/{id}/publish"),
            &t.admin,
            json!({}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["code"], "invalid_transition");
}

/// Runs one migration file's statements on a bare connection.
async fn run_file(c: &mut Conn, dialect: &str, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(dialect);
    let sql = std::fs::read_to_string(dir.join(name)).unwrap();
    match c {
        Conn::Sqlite(c) => sqlx::raw_sql(&sql).execute(c).await.map(|_| ()),
        Conn::Pg(c) => sqlx::raw_sql(&sql).execute(c).await.map(|_| ()),
    }
    .unwrap_or_else(|e| panic!("{name}: {e}"));
}

/// A bare connection to a fresh database (SQLite in memory, or a new PostgreSQL schema).
enum Conn {
    Sqlite(sqlx::SqliteConnection),
    Pg(sqlx::PgConnection),
}

impl Conn {
    async fn exec(&mut self, sql: &str) {
        match self {
            Conn::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.map(|_| ()),
            Conn::Pg(c) => sqlx::raw_sql(sql).execute(c).await.map(|_| ()),
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    async fn rows(&mut self, sql: &str) -> Vec<(String, String, String)> {
        match self {
            Conn::Sqlite(c) => sqlx::query_as(sql).fetch_all(c).await,
            Conn::Pg(c) => sqlx::query_as(sql).fetch_all(c).await,
        }
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    async fn fails(&mut self, sql: &str) -> bool {
        match self {
            Conn::Sqlite(c) => sqlx::raw_sql(sql).execute(c).await.is_err(),
            Conn::Pg(c) => sqlx::raw_sql(sql).execute(c).await.is_err(),
        }
    }
}

/// The upgrade to the one timeline (migration 0014) moves every step of the four older timelines with its
/// id (so its note in `personal_texts` stays its own), names each activity step's action, and keeps the
/// new table append-only.
#[tokio::test]
async fn the_four_older_timelines_move_into_the_one_timeline() {
    let (mut c, dialect, schema) = match pg_url() {
        Some(url) => {
            let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
            let schema = format!("upgrade_{}", Uuid::now_v7().simple());
            sqlx::raw_sql(&format!(
                "CREATE SCHEMA {schema}; SET search_path TO {schema}"
            ))
            .execute(&mut c)
            .await
            .unwrap();
            (Conn::Pg(c), "postgres", Some(schema))
        }
        None => {
            let c = sqlx::SqliteConnection::connect("sqlite::memory:")
                .await
                .unwrap();
            (Conn::Sqlite(c), "sqlite", None)
        }
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../store/migrations")
        .join(dialect);
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let (before, after): (Vec<_>, Vec<_>) = files.into_iter().partition(|f| f.as_str() < "0014");
    assert!(after[0].starts_with("0014"), "{after:?}");
    for f in &before {
        run_file(&mut c, dialect, f).await;
    }
    // One step of each older timeline, with no subject row behind it: the references are not what this
    // test is about, so they are switched off for the inserts.
    c.exec(match dialect {
        "sqlite" => "PRAGMA foreign_keys = OFF",
        _ => "SET session_replication_role = replica",
    })
    .await;
    let lit = |n: u8| match dialect {
        "sqlite" => format!("X'0190000000007000800000000000000{n}'"),
        _ => format!("'01900000-0000-7000-8000-00000000000{n}'"),
    };
    let (community, at) = (lit(9), "'2026-03-01T08:00:00Z'");
    for (n, table, subject, action) in [
        (1, "order_timeline", "order_id", Some("dispatch")),
        (2, "event_timeline", "event_id", Some("accept")),
        (3, "project_timeline", "project_id", Some("approve")),
        (4, "activity_timeline", "activity_id", None),
        (5, "activity_timeline", "activity_id", None),
    ] {
        let to = match n {
            4 => "'draft'",
            5 => "'published'",
            _ => "'somewhere'",
        };
        let (cols, vals) = match action {
            Some(a) => (", action", format!(", '{a}'")),
            None => ("", String::new()),
        };
        c.exec(&format!(
            "INSERT INTO {table} (id, community_id, {subject}, from_status, to_status{cols}, actor_id, at)
             VALUES ({}, {community}, {}, NULL, {to}{vals}, NULL, {at})",
            lit(n),
            lit(8)
        ))
        .await;
    }
    c.exec(&format!(
        "INSERT INTO personal_texts (owner_id, field, community_id, body) VALUES ({}, 'note', {community}, '上门核实')",
        lit(1)
    ))
    .await;
    c.exec(&format!(
        "INSERT INTO order_counts (bucket, community_id, status, n) VALUES ('/a/b/c/d/', {community}, 'placed', 3)"
    ))
    .await;
    c.exec(match dialect {
        "sqlite" => "PRAGMA foreign_keys = ON",
        _ => "SET session_replication_role = origin",
    })
    .await;

    for f in &after {
        run_file(&mut c, dialect, f).await;
    }
    let sql = "SELECT workflow, action, COALESCE((SELECT body FROM personal_texts WHERE owner_id = workflow_steps.id
        AND field = 'note'), '') FROM workflow_steps ORDER BY id";
    assert_eq!(
        c.rows(sql).await,
        [
            ("order", "dispatch", "上门核实"),
            ("event", "accept", ""),
            ("project", "approve", ""),
            ("activity", "create", ""),
            ("activity", "publish", ""),
        ]
        .map(|(a, b, n)| (a.to_owned(), b.to_owned(), n.to_owned()))
    );
    for old in [
        "order_timeline",
        "event_timeline",
        "project_timeline",
        "activity_timeline",
    ] {
        assert!(
            c.fails(&format!("SELECT COUNT(*) FROM {old}")).await,
            "{old} is gone"
        );
    }
    assert!(c.fails("UPDATE workflow_steps SET action = 'x'").await);
    assert!(c.fails("DELETE FROM workflow_steps").await);
    if let Some(schema) = schema {
        c.exec(&format!("DROP SCHEMA {schema} CASCADE")).await;
    }
}

/// The ids of community A's residents that `user` may read under record grants, beside the place scope.
async fn granted_residents(t: &crate::common::TestApp, scope_path: &str, user: Uuid) -> Vec<Uuid> {
    let scope = wushe_store::Scope::Paths(vec![scope_path.to_owned()]);
    let mut c = t.app.db.read().await.unwrap();
    wushe_store::on!(&mut c.conn(), c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT id FROM residents WHERE 1 = 1");
        scope.push_filter(&mut qb, "place_path");
        wushe_store::kernel::workflow::push_granted(&mut qb, "id", user);
        qb.push(" ORDER BY id");
        qb.build_query_scalar::<Uuid>().fetch_all(c).await
    })
    .unwrap()
}

/// A record granted to a carer is read by that carer alone among the workers of its place; the grant is
/// given once, withdrawn with its time kept, and a place outside the scope stays closed whatever is granted.
#[tokio::test]
async fn a_granted_record_is_read_only_by_those_it_was_granted_to() {
    let t = spawn().await;
    let m = map(&t).await;
    let home = t.household(&m.building_a1, "101").await;
    let first = t.resident(&home, "王阿婆", "110101194501010019").await;
    let second = t.resident(&home, "王大爷", "110101194301010014").await;
    let (first, second) = (
        Uuid::parse_str(&first).unwrap(),
        Uuid::parse_str(&second).unwrap(),
    );
    let carer = t
        .user("carer_a", "community_worker", Some(&m.community_a))
        .await;
    let other = t
        .user("other_a", "community_worker", Some(&m.community_a))
        .await;
    let id_of = |me: serde_json::Value| Uuid::parse_str(me["id"].as_str().unwrap()).unwrap();
    let carer = id_of(t.get("/api/v1/me", &carer).await.expect(200));
    let other = id_of(t.get("/api/v1/me", &other).await.expect(200));
    let path: String = {
        let mut c = t.app.db.read().await.unwrap();
        wushe_store::on!(&mut c.conn(), c => sqlx::query_scalar("SELECT place_path FROM residents WHERE id = $1")
            .bind(first).fetch_one(c).await)
        .unwrap()
    };
    let community_path: String = path.split('/').take(4).collect::<Vec<_>>().join("/") + "/";
    let community = Uuid::parse_str(&m.community_a).unwrap();

    assert!(granted_residents(&t, &community_path, carer)
        .await
        .is_empty());
    let grant = |user: Uuid, record: Uuid| wushe_store::kernel::workflow::GrantRow {
        id: Uuid::now_v7(),
        community_id: community,
        record_id: record,
        user_id: user,
        reason: "照护人".into(),
        granted_by: None,
        granted_at: t.app.now(),
        withdrawn_at: None,
    };
    {
        let mut tx = t.app.db.begin().await.unwrap();
        let mut c = tx.conn();
        assert!(
            wushe_store::kernel::workflow::grant(&mut c, &grant(carer, first))
                .await
                .unwrap()
        );
        assert!(
            !wushe_store::kernel::workflow::grant(&mut c, &grant(carer, first))
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    assert_eq!(
        granted_residents(&t, &community_path, carer).await,
        vec![first]
    );
    assert!(granted_residents(&t, &community_path, other)
        .await
        .is_empty());
    assert!(!granted_residents(&t, &community_path, carer)
        .await
        .contains(&second));
    // Outside the place scope a grant opens nothing.
    assert!(granted_residents(&t, "/elsewhere/", carer).await.is_empty());

    {
        let mut tx = t.app.db.begin().await.unwrap();
        let mut c = tx.conn();
        let at = t.app.now();
        assert!(
            wushe_store::kernel::workflow::withdraw(&mut c, carer, first, at)
                .await
                .unwrap()
        );
        assert!(
            !wushe_store::kernel::workflow::withdraw(&mut c, carer, first, at)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
    }
    assert!(granted_residents(&t, &community_path, carer)
        .await
        .is_empty());
    let mut c = t.app.db.read().await.unwrap();
    let history = wushe_store::kernel::workflow::grants_on(&mut c.conn(), first)
        .await
        .unwrap();
    assert_eq!(history.len(), 1);
    assert!(history[0].withdrawn_at.is_some());
    assert_eq!(history[0].reason, "照护人");
}
