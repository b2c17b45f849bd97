//! Issue 13, one i18n mechanism: in Chinese, no page shows a raw status code (`draft`, `proposed`), a unit
//! letter (`h`, `d`) or an English word. The demo community fills every page; the pages are read as a
//! worker's browser gets them, and their visible text (tags, scripts, styles and attributes dropped) is
//! searched for Latin words outside the few that are Chinese usage too.

use crate::common::{spawn_with, TestApp, ADMIN_PASSWORD};

/// Latin words Chinese pages use as they are: file formats, units written in Latin letters in Chinese
/// too, the names of standards, and the language switch's own name for English.
const USED_IN_CHINESE: [&str; 13] = [
    "ID",
    "API",
    "Excel",
    "xlsx",
    "csv",
    "ics",
    "MB",
    "KB",
    "Open311",
    "iCalendar",
    "PNG",
    "JPEG",
    "English",
];

/// The visible text of a page: no tags, no scripts or styles, entities decoded enough to read.
fn visible(html: &str) -> String {
    let mut out = html.to_owned();
    for tag in ["script", "style"] {
        let mut kept = String::new();
        let mut r = out.as_str();
        while let Some(i) = r.find(&format!("<{tag}")) {
            kept.push_str(&r[..i]);
            let close = format!("</{tag}>");
            r = r[i..]
                .find(&close)
                .map_or("", |j| &r[i + j + close.len()..]);
        }
        kept.push_str(r);
        out = kept;
    }
    let mut text = String::new();
    let mut in_tag = false;
    for ch in out.chars() {
        match ch {
            '<' => {
                in_tag = true;
                text.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&amp;", "&").replace("&nbsp;", " ")
}

/// The Latin words on a page that Chinese does not use, each with a little of the text around it: a
/// word of letters, or the letters of a unit after a number (`24h`, `7d`). Codes that mix letters and
/// digits otherwise (V0001, 2026Q4, a UUID) are data, not language.
fn english(text: &str, allowed: &[String]) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let token = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        if !token(chars[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && token(chars[i]) {
            i += 1;
        }
        let tok: String = chars[start..i].iter().collect();
        let letters = tok.trim_start_matches(|c: char| c.is_ascii_digit());
        let words: Vec<&str> = if !tok.chars().any(|c| c.is_ascii_digit()) {
            tok.split(['-', '_']).filter(|w| !w.is_empty()).collect()
        } else if letters.len() < tok.len() && letters.chars().all(|c| c.is_ascii_alphabetic()) {
            vec![letters]
        } else {
            vec![]
        };
        for w in words {
            if !w.is_empty() && !allowed.iter().any(|a| a == w) {
                let from = start.saturating_sub(12);
                let to = (i + 12).min(chars.len());
                out.push(format!(
                    "{w} in “{}”",
                    chars[from..to].iter().collect::<String>().trim()
                ));
            }
        }
    }
    out
}

/// The first id of a list the API gives, as text.
async fn first(t: &TestApp, path: &str) -> String {
    let v = t.get(path, &t.admin).await.expect(200);
    let item = v["items"].get(0).or_else(|| v.get(0)).cloned().unwrap();
    item["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn chinese_pages_show_no_codes_units_or_english() {
    let t = spawn_with(true).await;
    let b = t.page_session("admin", ADMIN_PASSWORD).await;
    let mut pages: Vec<String> = [
        "/",
        "/account",
        "/places",
        "/households",
        "/households/new",
        "/residents",
        "/residents/new",
        "/users",
        "/users/new",
        "/volunteers",
        "/volunteers/new",
        "/activities",
        "/activities/new",
        "/teams",
        "/supermarket",
        "/points-policy",
        "/service-hours",
        "/orders",
        "/orders/new",
        "/events",
        "/events/new",
        "/events/rates",
        "/lists",
        "/deadlines",
        "/imports",
    ]
    .map(String::from)
    .to_vec();
    for (api, page) in [
        ("/api/v1/orders?limit=1", "/orders"),
        ("/api/v1/events?limit=1", "/events"),
        ("/api/v1/activities?limit=1", "/activities"),
        ("/api/v1/volunteers?limit=1", "/volunteers"),
        ("/api/v1/projects", "/projects"),
        ("/api/v1/households?limit=1", "/households"),
        ("/api/v1/residents?limit=1", "/residents"),
        ("/api/v1/teams", "/teams"),
        ("/api/v1/supermarket/items", "/supermarket/items"),
        ("/api/v1/demands", "/demands"),
        ("/api/v1/users", "/users"),
        ("/api/v1/places?kind=community&limit=1", "/places"),
    ] {
        pages.push(format!("{page}/{}", first(&t, api).await));
    }
    // Names the demo itself gives in Latin letters are data, not the page's language.
    let allowed: Vec<String> = USED_IN_CHINESE
        .iter()
        .map(|s| s.to_string())
        // The check digit of an ID number is a Latin X (GB 11643), shown masked.
        .chain(["admin", "X"].map(String::from))
        .collect();
    let mut found = Vec::new();
    for p in &pages {
        let r = b
            .get(t.url(p))
            .header("accept-language", "zh-CN")
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{p}");
        let html = r.text().await.unwrap();
        for w in english(&visible(&html), &allowed) {
            found.push(format!("{p}: {w}"));
        }
    }
    assert!(
        found.is_empty(),
        "{} English words:\n{}",
        found.len(),
        found.join("\n")
    );
}

/// Traditional Chinese is offered beside Simplified and English: the switch keeps it, and a browser that
/// asks for zh-TW gets it without switching.
#[tokio::test]
async fn traditional_chinese_is_one_switch_away() {
    let t = spawn_with(false).await;
    let b = t.page_session("admin", ADMIN_PASSWORD).await;
    let home = b
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        home.contains("首页") && home.contains(r#"href="/lang/zh-TW"#),
        "{home}"
    );
    let r = b.get(t.url("/lang/zh-TW?next=/")).send().await.unwrap();
    assert_eq!(r.status(), 303);
    let home = b
        .get(t.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("首頁") && !home.contains("首页"), "{home}");
    assert!(home.contains(r#"lang="zh-TW""#));
    let asked = t
        .http
        .get(t.url("/login"))
        .header("accept-language", "zh-Hant-TW,zh;q=0.8")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(asked.contains("登錄"), "{asked}");
}
