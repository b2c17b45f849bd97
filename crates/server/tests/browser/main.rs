//! Browser tests in a real headless Chromium (Debian's chromium and chromium-driver). They need both
//! installed, so a plain `cargo test` lists them as ignored; `.ci/run` installs them and runs
//! `cargo test --test browser -- --ignored`.

#[path = "../common/mod.rs"]
mod common;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

struct Driver {
    child: Child,
    profile: std::path::PathBuf,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        // Chromium outlives a killed chromedriver: end every process started on this test's profile.
        let _ = Command::new("pkill")
            .arg("-f")
            .arg(self.profile.as_os_str())
            .status();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

async fn browser(width: u32, height: u32) -> (Driver, Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver (apt-get install chromium-driver)");
    let profile =
        std::env::temp_dir().join(format!("wushe-chrome-{}", uuid::Uuid::now_v7().simple()));
    let driver = Driver {
        child,
        profile: profile.clone(),
    };
    let caps = json!({
        "goog:chromeOptions": {
            "binary": "/usr/bin/chromium",
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                     "--no-first-run", "--disable-sync", "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display()),
                     format!("--window-size={width},{height}"), "--lang=zh-CN"]
        }
    });
    let caps = caps.as_object().unwrap().clone();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return (driver, c),
            Err(e) if Instant::now() > deadline => panic!("cannot start chromium: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

/// The text of the first element matching `css` once `ok` accepts it (pages load and htmx swaps
/// asynchronously, so elements read too early may be stale: keep polling until the deadline).
async fn wait_text(c: &Client, css: &str, ok: impl Fn(&str) -> bool) -> String {
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut last = String::new();
    loop {
        if let Ok(e) = c.find(Locator::Css(css)).await {
            if let Ok(t) = e.text().await {
                if ok(&t) {
                    return t;
                }
                last = t;
            }
        }
        assert!(Instant::now() < deadline, "{css}: last saw {last:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until the element's text is exactly `want`.
async fn expect_text(c: &Client, css: &str, want: &str) {
    wait_text(c, css, |t| t == want).await;
}

/// The text of an element once it exists.
async fn text(c: &Client, css: &str) -> String {
    wait_text(c, css, |_| true).await
}

async fn fill(c: &Client, name: &str, value: &str) {
    c.find(Locator::Css(&format!("[name='{name}']")))
        .await
        .unwrap_or_else(|e| panic!("field {name}: {e}"))
        .send_keys(value)
        .await
        .unwrap();
}

async fn submit(c: &Client, form: &str) {
    c.find(Locator::Css(&format!("{form} button[type='submit']")))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
}

async fn login(c: &Client, base: &str) {
    c.goto(&format!("{base}/login")).await.unwrap();
    fill(c, "username", "admin").await;
    fill(c, "password", common::ADMIN_PASSWORD).await;
    submit(c, "form[action='/login']").await;
    expect_text(c, "main h1", "辖区概况").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver: cargo test --test browser -- --ignored"]
async fn a_worker_adds_a_household_and_a_resident_sees_the_id_masked_and_switches_to_english() {
    let t = common::spawn().await;
    let m = common::map(&t).await;
    let (_driver, c) = browser(1280, 900).await;
    login(&c, &t.base).await;

    // A household through the form; a wrong door first shows the error beside the field and keeps input.
    c.goto(&format!(
        "{}/households/new?place_id={}",
        t.base, m.building_a1
    ))
    .await
    .unwrap();
    fill(&c, "tags", "低保").await;
    submit(&c, "form[action='/households']").await;
    // The browser's own "required" check stops an empty door; fill it and send.
    fill(&c, "address", "3单元301").await;
    submit(&c, "form[action='/households']").await;
    expect_text(&c, "main h1", "1栋 3单元301").await;

    // A resident through the form: a wrong check digit is shown in Chinese beside the field, input kept.
    c.find(Locator::Id("add-resident"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let idn = common::id_number("19520718", 31);
    let mut bad = idn.clone();
    bad.pop();
    bad.push(if idn.ends_with('1') { '2' } else { '1' });
    fill(&c, "name", "易晓玲").await;
    fill(&c, "id_number", &bad).await;
    fill(&c, "phone", "13912345678").await;
    submit(&c, "#resident-form").await;
    let err = wait_text(
        &c,
        "#resident-form label:nth-of-type(2) .field-error",
        |t| !t.is_empty(),
    )
    .await;
    assert!(err.contains("校验位"), "error beside the ID field: {err}");
    let kept = c
        .find(Locator::Css("[name='name']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap()
        .unwrap_or_default();
    assert_eq!(kept, "易晓玲", "what was typed is kept");
    let id_field = c.find(Locator::Css("[name='id_number']")).await.unwrap();
    id_field.clear().await.unwrap();
    id_field.send_keys(&idn).await.unwrap();
    submit(&c, "#resident-form").await;
    expect_text(&c, "main h1", "易晓玲").await;
    let shown = text(&c, "#id-number").await;
    assert!(
        shown.contains("********") && !shown.contains(&idn),
        "masked: {shown}"
    );
    assert_eq!(text(&c, "#phone").await, "139****5678");

    // Unmasking shows the number (and is audited, which the API tests check).
    c.find(Locator::Id("unmask"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_text(&c, "#id-number", &idn).await;

    // English by the switch, and it stays for the next page.
    c.find(Locator::Id("lang-en"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let menu = wait_text(&c, "nav.menu", |t| t.contains("Residents")).await;
    assert!(
        menu.contains("Residents") && menu.contains("Households"),
        "{menu}"
    );
    c.goto(&format!("{}/", t.base)).await.unwrap();
    expect_text(&c, "main h1", "Your area at a glance").await;
    let shot = c.screenshot().await.unwrap();
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("home-en.png");
    std::fs::write(&out, shot).unwrap();
    c.goto(&format!("{}/lang/zh-CN?next=/", t.base))
        .await
        .unwrap();
    expect_text(&c, "main h1", "辖区概况").await;
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver: cargo test --test browser -- --ignored"]
async fn pages_fit_a_375_pixel_phone() {
    let t = common::spawn_with(true).await;
    let (_driver, c) = browser(375, 812).await;
    login(&c, &t.base).await;
    for page in [
        "/",
        "/residents",
        "/households",
        "/places",
        "/imports",
        "/account",
        "/volunteers",
        "/volunteers/new",
        "/activities",
        "/activities/new",
        "/me/volunteer",
        "/teams",
        "/supermarket",
        "/points-policy",
        "/service-hours",
        "/orders",
        "/orders/new",
        "/events",
        "/events/new",
        "/lists",
        "/deadlines",
        "/events/rates",
        "/imports?kind=volunteers",
    ] {
        c.goto(&format!("{}{page}", t.base)).await.unwrap();
        text(&c, "main h1").await;
        let w = c
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .unwrap();
        let (scroll, inner) = (w[0].as_i64().unwrap(), w[1].as_i64().unwrap());
        assert!(
            scroll <= inner,
            "{page} overflows a phone: {scroll} > {inner}"
        );
    }
    // The live search narrows the resident list without a page reload.
    c.goto(&format!("{}/residents", t.base)).await.unwrap();
    let before = c
        .find_all(Locator::Css("#results tbody tr"))
        .await
        .unwrap()
        .len();
    c.find(Locator::Id("search-name"))
        .await
        .unwrap()
        .send_keys("欧阳")
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let rows = c.find_all(Locator::Css("#results tbody tr")).await.unwrap();
        let names = first_cells(&rows).await.unwrap_or_default();
        if !names.is_empty() && rows.len() < before && names.iter().all(|n| n.contains("欧阳")) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "live search did not narrow the list ({} rows)",
            rows.len()
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let shot = c.screenshot().await.unwrap();
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("residents-phone.png"),
        shot,
    )
    .unwrap();
    // The same home page at desktop width, for the README.
    c.set_window_size(1280, 760).await.unwrap();
    c.goto(&format!("{}/", t.base)).await.unwrap();
    expect_text(&c, "main h1", "辖区概况").await;
    let shot = c.screenshot().await.unwrap();
    std::fs::write(
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("home-zh.png"),
        shot,
    )
    .unwrap();
    c.close().await.unwrap();
}

async fn first_cells(rows: &[fantoccini::elements::Element]) -> Option<Vec<String>> {
    // A swap in progress makes rows stale; the caller polls again.
    let mut out = Vec::new();
    for r in rows {
        out.push(r.find(Locator::Css("td")).await.ok()?.text().await.ok()?);
    }
    Some(out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver: cargo test --test browser -- --ignored"]
async fn a_volunteer_signs_up_is_checked_in_and_out_and_sees_the_points() {
    use chrono::{Duration as D, Utc};
    let t = common::spawn().await;
    let m = common::map(&t).await;
    let worker = t
        .user("worker_a", "community_worker", Some(&m.community_a))
        .await;
    t.user("vol_a", "volunteer", Some(&m.grid_a1)).await;
    let (_driver, c) = browser(375, 812).await;

    // The resident signs up as a volunteer on their phone.
    c.goto(&format!("{}/login", t.base)).await.unwrap();
    fill(&c, "username", "vol_a").await;
    fill(&c, "password", "user-password-2026").await;
    submit(&c, "form[action='/login']").await;
    text(&c, "main h1").await;
    c.goto(&format!("{}/me/volunteer", t.base)).await.unwrap();
    expect_text(&c, "main h1", "我的志愿服务").await;
    c.find(Locator::Css("select[name='community_id']"))
        .await
        .unwrap()
        .select_by_value(&m.community_a)
        .await
        .unwrap();
    fill(&c, "name", "陈小梅").await;
    fill(&c, "phone", "12345").await;
    submit(&c, "#volunteer-form").await;
    // A bad phone is named beside the field and what was typed stays.
    wait_text(&c, "[name='phone'] + .field-error", |t| t.contains("电话")).await;
    let kept = c
        .find(Locator::Css("[name='name']"))
        .await
        .unwrap()
        .prop("value")
        .await
        .unwrap();
    assert_eq!(kept.as_deref(), Some("陈小梅"));
    let phone = c.find(Locator::Css("[name='phone']")).await.unwrap();
    phone.clear().await.unwrap();
    phone.send_keys("13700001234").await.unwrap();
    submit(&c, "#volunteer-form").await;
    wait_text(&c, "main", |t| t.contains("待审核")).await;

    // A community worker approves and plans an activity that began an hour ago.
    let vols = t
        .get(
            &format!(
                "/api/v1/volunteers?status=pending&community_id={}",
                m.community_a
            ),
            &worker,
        )
        .await
        .expect(200);
    let vid = vols["items"][0]["id"].as_str().unwrap().to_owned();
    t.post(
        &format!("/api/v1/volunteers/{vid}/approve"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);
    let start = Utc::now() - D::hours(1);
    let a = t
        .post("/api/v1/activities", &worker, json!({"title": "义务理发", "community_id": m.community_a,
            "starts_at": start, "ends_at": start + D::hours(3), "place_text": "社区活动室", "capacity": 10}))
        .await
        .expect(201);
    let aid = a["id"].as_str().unwrap().to_owned();
    let code = a["checkin_code"].as_str().unwrap().to_owned();
    t.post(
        &format!("/api/v1/activities/{aid}/publish"),
        &worker,
        json!({}),
    )
    .await
    .expect(200);

    // The volunteer finds it on their page and signs up.
    c.goto(&format!("{}/me/volunteer", t.base)).await.unwrap();
    c.find(Locator::LinkText("义务理发"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    expect_text(&c, "main h1 .tag", "已发布").await;
    c.find(Locator::Id("my-signup"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#my-part", |t| t.contains("你已报名")).await;

    // The organiser checks them in from the paper sheet at the start time.
    t.post(
        &format!("/api/v1/activities/{aid}/checkins"),
        &worker,
        json!({"volunteer_id": vid, "at": start}),
    )
    .await
    .expect(200);
    c.refresh().await.unwrap();
    wait_text(&c, "#my-part", |t| t.contains("已签到")).await;

    // A wrong code is refused beside the field; the right one checks them out.
    fill(&c, "code", "999999x").await;
    c.find(Locator::Id("my-checkout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#my-code + .field-error", |t| t.contains("签到码")).await;
    fill(&c, "code", &code).await;
    c.find(Locator::Id("my-checkout"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_text(&c, "#my-part", |t| t.contains("已签退")).await;

    // An hour of service at 2 points an hour.
    c.goto(&format!("{}/me/volunteer", t.base)).await.unwrap();
    expect_text(&c, "#my-balance", "2").await;
    let w = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        w[0].as_i64().unwrap() <= w[1].as_i64().unwrap(),
        "the volunteer page fits a phone"
    );
    c.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs chromium and chromium-driver: cargo test --test browser -- --ignored"]
async fn a_lane_head_reports_an_event_with_a_photo_on_a_phone() {
    let t = common::spawn().await;
    let m = common::map(&t).await;
    let steward = t.user("steward_a1", "grid_steward", Some(&m.grid_a1)).await;
    t.user("head_a1", "building_head", Some(&m.building_a1))
        .await;
    // A real PNG (1×1) taken "by the phone's camera".
    let png: [u8; 67] = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x00,
        0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0D, 0x0A, 0x2D, 0xB4, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let photo =
        std::env::temp_dir().join(format!("wushe-photo-{}.png", uuid::Uuid::now_v7().simple()));
    std::fs::write(&photo, png).unwrap();
    let (_driver, c) = browser(375, 812).await;
    c.goto(&format!("{}/login", t.base)).await.unwrap();
    fill(&c, "username", "head_a1").await;
    fill(&c, "password", "user-password-2026").await;
    submit(&c, "form[action='/login']").await;
    text(&c, "main h1").await;
    c.goto(&format!("{}/events/new", t.base)).await.unwrap();
    expect_text(&c, "main h1", "上报事件").await;
    // The building head's grid is offered although their role sits below it.
    c.find(Locator::Css("select[name='grid_id']"))
        .await
        .unwrap()
        .select_by_value(&m.grid_a1)
        .await
        .unwrap();
    c.find(Locator::Css("select[name='category']"))
        .await
        .unwrap()
        .select_by_value("设施损坏")
        .await
        .unwrap();
    fill(&c, "description", "路灯不亮，晚上很黑").await;
    fill(&c, "location_text", "1栋北门").await;
    c.find(Locator::Css("input[name='photo']"))
        .await
        .unwrap()
        .send_keys(photo.to_str().unwrap())
        .await
        .unwrap();
    let w = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        w[0].as_i64().unwrap() <= w[1].as_i64().unwrap(),
        "the form fits the phone"
    );
    submit(&c, "#event-form").await;
    expect_text(&c, "main h1 .tag", "待受理").await;
    wait_text(&c, "main", |t| t.contains("路灯不亮")).await;
    let loaded = c
        .execute(
            "const i = document.querySelector('.photos img'); return i ? [i.complete, i.naturalWidth] : [false, 0];",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        loaded[1].as_i64(),
        Some(1),
        "the photo is shown: {loaded:?}"
    );
    let _ = std::fs::remove_file(&photo);

    // The grid steward sees it on their list.
    let list = t.get("/api/v1/events", &steward).await.expect(200);
    // As typed on the phone, full-width comma included (issue 12, point 3).
    assert_eq!(list["items"][0]["description"], "路灯不亮，晚上很黑");
    assert_eq!(list["items"][0]["photos"].as_array().unwrap().len(), 1);
}
