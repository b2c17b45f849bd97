//! Issue 12, point 7: every write route in the OpenAPI document, tried by those who may not write there,
//! before someone who may: the auditor (who changes nothing) and a worker of another community. A route
//! added without an entry here fails the suite, and so does one whose check lets either of them through.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::{id_number, map, spawn, TestApp};

/// Writes open to anyone logged in, on their own account or session: not part of the matrix.
const OWN: &[&str] = &[
    "POST /api/v1/auth/login",
    "POST /api/v1/auth/logout",
    "PUT /api/v1/me/password",
    "POST /api/v1/me/tokens",
    "DELETE /api/v1/me/tokens/{id}",
    "POST /api/v1/me/calendar-link",
];

async fn id_of(r: crate::common::Res) -> String {
    let b = r.body;
    b["id"].as_str().unwrap_or_else(|| panic!("{b}")).to_owned()
}

/// Writes that name nothing in another community: a worker anywhere may make them in their own area
/// (an import's rows are placed inside the caller's area; a photo is the uploader's until attached).
const NOT_IN_A_COMMUNITY: &[&str] = &["POST /api/v1/imports/residents", "POST /api/v1/photos"];

/// Whether a refusal is one a caller without the right may get: 403, 404, or a 400 naming an object
/// id they cannot see.
fn refused(r: &crate::common::Res) -> bool {
    match r.status.as_u16() {
        403 | 404 => true,
        400 => r.body["errors"]
            .as_array()
            .and_then(|e| e.first())
            .and_then(|e| e["field"].as_str())
            .is_some_and(|f| f.ends_with("_id") || f.ends_with("_ids") || f == "id"),
        _ => false,
    }
}

async fn send(
    t: &TestApp,
    method: &str,
    path: &str,
    token: &str,
    body: &Value,
) -> crate::common::Res {
    let m = Method::from_bytes(method.as_bytes()).unwrap();
    if path.starts_with("/api/v1/imports/") || path == "/api/v1/photos" {
        let bytes = if path == "/api/v1/photos" {
            crate::common::picture(image::ImageFormat::Png)
        } else {
            b"not a sheet".to_vec()
        };
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("f.bin"),
        );
        if let Some(c) = body["community_id"].as_str() {
            form = form.text("community_id", c.to_owned());
        }
        let r = t
            .http
            .request(m, t.url(path))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .unwrap();
        let status = r.status();
        let headers = r.headers().clone();
        let body = r.json().await.unwrap_or(Value::Null);
        return crate::common::Res {
            status,
            headers,
            body,
        };
    }
    t.call(m, path, Some(token), Some(body.clone())).await
}

#[tokio::test]
async fn no_write_route_lets_the_auditor_or_another_community_through() {
    let t = spawn().await;
    let m = map(&t).await;
    let a = &t.admin;
    let auditor = t.user("matrix_auditor", "auditor", None).await;
    let outsider = t
        .user("matrix_outsider", "community_worker", Some(&m.community_b))
        .await;

    // Community A's objects, each in a state its actions accept.
    let h = t.household(&m.building_a1, "101").await;
    let h2 = t.household(&m.building_a1, "102").await;
    let r = t.resident(&h, "甲", &id_number("19700101", 1)).await;
    let spare = t.place("building", "9栋", Some(&m.grid_a1)).await;
    let v = id_of(
        t.post(
            "/api/v1/volunteers",
            a,
            json!({"name": "志一", "phone": "13800000001", "community_id": m.community_a}),
        )
        .await,
    )
    .await;
    let pending = id_of(
        t.post(
            "/api/v1/volunteers",
            a,
            json!({"name": "志二", "phone": "13800000002", "community_id": m.community_a}),
        )
        .await,
    )
    .await;
    let team = id_of(
        t.post(
            "/api/v1/teams",
            a,
            json!({"name": "探访队", "community_id": m.community_a}),
        )
        .await,
    )
    .await;
    let start = chrono::Utc::now() + chrono::Duration::days(2);
    let act = id_of(
        t.post(
            "/api/v1/activities",
            a,
            json!({"title": "理发", "community_id": m.community_a, "starts_at": start,
                   "ends_at": start + chrono::Duration::hours(2), "place_text": "活动室", "capacity": 10}),
        )
        .await,
    )
    .await;
    let order = id_of(
        t.post(
            "/api/v1/orders",
            a,
            json!({"community_id": m.community_a, "household_id": h, "category": "养老", "content": "买菜"}),
        )
        .await,
    )
    .await;
    let event = id_of(
        t.post(
            "/api/v1/events",
            a,
            json!({"grid_id": m.grid_a1, "category": "其他", "description": "路灯不亮", "location_text": "1栋"}),
        )
        .await,
    )
    .await;
    let demand = id_of(
        t.post(
            "/api/v1/demands",
            a,
            json!({"community_id": m.community_a, "category": "养老", "content": "助餐", "urgency": "normal"}),
        )
        .await,
    )
    .await;
    let resource = id_of(
        t.post(
            "/api/v1/resources",
            a,
            json!({"community_id": m.community_a, "kind": "people", "name": "理发师", "categories": ["养老"], "capacity": 5}),
        )
        .await,
    )
    .await;
    let project = id_of(
        t.post(
            "/api/v1/projects",
            a,
            json!({"community_id": m.community_a, "title": "助老", "demand_ids": [demand], "resource_ids": [resource]}),
        )
        .await,
    )
    .await;
    let item = id_of(
        t.post(
            "/api/v1/supermarket/items",
            a,
            json!({"name": "大米", "unit": "袋", "community_id": m.community_a, "points_price": 10, "quantity": 20}),
        )
        .await,
    )
    .await;
    let record = id_of(
        t.post(
            "/api/v1/service-records",
            a,
            json!({"volunteer_id": v, "minutes": 60, "served_on": chrono::Utc::now().date_naive(), "content": "探访"}),
        )
        .await,
    )
    .await;
    let worker_a = id_of(
        t.post(
            "/api/v1/users",
            a,
            json!({"username": "matrix_worker_a", "password": "user-password-2026", "display_name": "工作者",
                   "roles": [{"role": "community_worker", "place_id": m.community_a}]}),
        )
        .await,
    )
    .await;
    let c = &m.community_a;
    let today = chrono::Utc::now().date_naive();

    // Every write route: the path with community A's ids, and a body that is valid for someone allowed.
    let routes: Vec<(&str, &str, String, Value)> = vec![
        (
            "PATCH",
            "/api/v1/households/{id}",
            format!("/api/v1/households/{h}"),
            json!({"address": "101室"}),
        ),
        (
            "PUT",
            "/api/v1/households/{id}",
            format!("/api/v1/households/{h}"),
            json!({"tags": []}),
        ),
        (
            "PATCH",
            "/api/v1/places/{id}",
            format!("/api/v1/places/{spare}"),
            json!({"name": "九栋"}),
        ),
        (
            "PATCH",
            "/api/v1/residents/{id}",
            format!("/api/v1/residents/{r}"),
            json!({"relation": "户主"}),
        ),
        (
            "PUT",
            "/api/v1/residents/{id}",
            format!("/api/v1/residents/{r}"),
            json!({"name": "甲一"}),
        ),
        (
            "POST",
            "/api/v1/activities",
            "/api/v1/activities".into(),
            json!({"title": "义诊", "community_id": c, "starts_at": start, "ends_at": start + chrono::Duration::hours(1), "place_text": "广场", "capacity": 5}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/publish",
            format!("/api/v1/activities/{act}/publish"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/signups",
            format!("/api/v1/activities/{act}/signups"),
            json!({"volunteer_id": v}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/checkins",
            format!("/api/v1/activities/{act}/checkins"),
            json!({"volunteer_id": v}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/checkouts",
            format!("/api/v1/activities/{act}/checkouts"),
            json!({"volunteer_id": v}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/hours",
            format!("/api/v1/activities/{act}/hours"),
            json!({"lines": [{"volunteer_id": v, "minutes": 30}]}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/complete",
            format!("/api/v1/activities/{act}/complete"),
            json!({"summary": "完成"}),
        ),
        (
            "POST",
            "/api/v1/activities/{id}/cancel",
            format!("/api/v1/activities/{act}/cancel"),
            json!({"reason": "下雨"}),
        ),
        (
            "POST",
            "/api/v1/certificates",
            "/api/v1/certificates".into(),
            json!({"volunteer_id": v}),
        ),
        (
            "POST",
            "/api/v1/communities/{id}/service-categories",
            format!("/api/v1/communities/{c}/service-categories"),
            json!({"name": "助浴", "parent": "养老"}),
        ),
        (
            "POST",
            "/api/v1/communities/{id}/tags",
            format!("/api/v1/communities/{c}/tags"),
            json!({"tag": "空巢老人"}),
        ),
        (
            "POST",
            "/api/v1/erasures",
            "/api/v1/erasures".into(),
            json!({"subject_type": "resident", "subject_id": r, "basis": "本人申请"}),
        ),
        (
            "PUT",
            "/api/v1/communities/{id}/event-deadlines",
            format!("/api/v1/communities/{c}/event-deadlines"),
            json!({"category": "其他", "accept_hours": 2, "dispatch_hours": 2, "resolve_hours": 48, "verify_hours": 24, "close_hours": 24}),
        ),
        (
            "PUT",
            "/api/v1/communities/{id}/order-deadlines",
            format!("/api/v1/communities/{c}/order-deadlines"),
            json!({"category": "养老", "dispatch_hours": 2, "accept_hours": 2, "complete_hours": 48, "evaluate_days": 7}),
        ),
        (
            "PUT",
            "/api/v1/communities/{id}/points-policy",
            format!("/api/v1/communities/{c}/points-policy"),
            json!({"points_per_hour": 2, "points_per_item": 2, "star_threshold": 30, "valid_from": today}),
        ),
        (
            "POST",
            "/api/v1/demands",
            "/api/v1/demands".into(),
            json!({"community_id": c, "category": "养老", "content": "助浴", "urgency": "low"}),
        ),
        (
            "POST",
            "/api/v1/events",
            "/api/v1/events".into(),
            json!({"grid_id": m.grid_a1, "category": "其他", "description": "井盖", "location_text": "2栋"}),
        ),
        (
            "POST",
            "/api/v1/events/{id}/accept",
            format!("/api/v1/events/{event}/accept"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/events/{id}/dispatch",
            format!("/api/v1/events/{event}/dispatch"),
            json!({"assignee_id": team}),
        ),
        (
            "POST",
            "/api/v1/events/{id}/resolve",
            format!("/api/v1/events/{event}/resolve"),
            json!({"note": "修好"}),
        ),
        (
            "POST",
            "/api/v1/events/{id}/verify",
            format!("/api/v1/events/{event}/verify"),
            json!({"passed": true, "note": "好"}),
        ),
        (
            "POST",
            "/api/v1/events/{id}/close",
            format!("/api/v1/events/{event}/close"),
            json!({"result": "已修复"}),
        ),
        (
            "POST",
            "/api/v1/events/{id}/escalate",
            format!("/api/v1/events/{event}/escalate"),
            json!({"reason": "需要社区协调"}),
        ),
        (
            "POST",
            "/api/v1/households",
            "/api/v1/households".into(),
            json!({"place_id": m.building_a1, "address": "201", "tags": []}),
        ),
        (
            "POST",
            "/api/v1/households/{id}/archive",
            format!("/api/v1/households/{h2}/archive"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/households/{id}/restore",
            format!("/api/v1/households/{h2}/restore"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/imports/residents",
            "/api/v1/imports/residents".into(),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/imports/volunteers",
            "/api/v1/imports/volunteers".into(),
            json!({"community_id": c}),
        ),
        (
            "POST",
            "/api/v1/item-donations",
            "/api/v1/item-donations".into(),
            json!({"donor_name": "王先生", "items": [{"item_id": item, "quantity": 1}], "community_id": c}),
        ),
        (
            "POST",
            "/api/v1/open311/keys",
            "/api/v1/open311/keys".into(),
            json!({"name": "12345平台", "place_id": m.grid_a1}),
        ),
        (
            "POST",
            "/api/v1/orders",
            "/api/v1/orders".into(),
            json!({"community_id": c, "household_id": h, "category": "养老", "content": "理发"}),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/dispatch",
            format!("/api/v1/orders/{order}/dispatch"),
            json!({"team_id": team}),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/accept",
            format!("/api/v1/orders/{order}/accept"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/decline",
            format!("/api/v1/orders/{order}/decline"),
            json!({"reason": "人手不够"}),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/complete",
            format!("/api/v1/orders/{order}/complete"),
            json!({"note": "完成"}),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/evaluations",
            format!("/api/v1/orders/{order}/evaluations"),
            json!({"by": "station", "score": 5}),
        ),
        ("POST", "/api/v1/photos", "/api/v1/photos".into(), json!({})),
        (
            "POST",
            "/api/v1/places",
            "/api/v1/places".into(),
            json!({"kind": "building", "name": "10栋", "parent_id": m.grid_a1}),
        ),
        (
            "POST",
            "/api/v1/places/{id}/move",
            format!("/api/v1/places/{spare}/move"),
            json!({"parent_id": m.grid_a2}),
        ),
        (
            "POST",
            "/api/v1/places/{id}/archive",
            format!("/api/v1/places/{spare}/archive"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/places/{id}/restore",
            format!("/api/v1/places/{spare}/restore"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/projects",
            "/api/v1/projects".into(),
            json!({"community_id": c, "title": "助浴", "demand_ids": [demand], "resource_ids": [resource]}),
        ),
        (
            "POST",
            "/api/v1/projects/{id}/{action}",
            format!("/api/v1/projects/{project}/approve"),
            json!({"meeting": "联席会"}),
        ),
        (
            "POST",
            "/api/v1/redemptions",
            "/api/v1/redemptions".into(),
            json!({"volunteer_id": v, "item_id": item, "quantity": 1}),
        ),
        (
            "POST",
            "/api/v1/residents",
            "/api/v1/residents".into(),
            json!({"household_id": h, "name": "乙", "sex": "female"}),
        ),
        (
            "POST",
            "/api/v1/residents/{id}/move",
            format!("/api/v1/residents/{r}/move"),
            json!({"household_id": h2}),
        ),
        (
            "POST",
            "/api/v1/residents/{id}/archive",
            format!("/api/v1/residents/{r}/archive"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/residents/{id}/restore",
            format!("/api/v1/residents/{r}/restore"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/resources",
            "/api/v1/resources".into(),
            json!({"community_id": c, "kind": "venue", "name": "活动室", "categories": ["养老"], "capacity": 1}),
        ),
        (
            "POST",
            "/api/v1/rewards",
            "/api/v1/rewards".into(),
            json!({"name": "理发券", "unit": "张", "community_id": c, "points_price": 5, "merchant": "理发店", "quantity": 5}),
        ),
        (
            "POST",
            "/api/v1/service-records",
            "/api/v1/service-records".into(),
            json!({"volunteer_id": v, "minutes": 30, "served_on": today, "content": "送餐"}),
        ),
        (
            "POST",
            "/api/v1/service-records/{id}/reverse",
            format!("/api/v1/service-records/{record}/reverse"),
            json!({"reason": "录错"}),
        ),
        (
            "POST",
            "/api/v1/supermarket/issues",
            "/api/v1/supermarket/issues".into(),
            json!({"item_id": item, "quantity": 1, "household_id": h, "reason": "低保户"}),
        ),
        (
            "POST",
            "/api/v1/supermarket/items",
            "/api/v1/supermarket/items".into(),
            json!({"name": "食用油", "unit": "桶", "community_id": c, "points_price": 20}),
        ),
        (
            "POST",
            "/api/v1/supermarket/items/{id}/stocktake",
            format!("/api/v1/supermarket/items/{item}/stocktake"),
            json!({"counted": 19, "reason": "盘点"}),
        ),
        (
            "POST",
            "/api/v1/supermarket/purchases",
            "/api/v1/supermarket/purchases".into(),
            json!({"item_id": item, "quantity": 5, "supplier": "超市"}),
        ),
        (
            "POST",
            "/api/v1/teams",
            "/api/v1/teams".into(),
            json!({"name": "助餐队", "community_id": c}),
        ),
        (
            "POST",
            "/api/v1/teams/{id}/members",
            format!("/api/v1/teams/{team}/members"),
            json!({"volunteer_id": v}),
        ),
        (
            "POST",
            "/api/v1/teams/{id}/members/{volunteer_id}/leave",
            format!("/api/v1/teams/{team}/members/{v}/leave"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/users",
            "/api/v1/users".into(),
            json!({"username": "matrix_new", "password": "user-password-2026", "display_name": "新", "roles": [{"role": "grid_steward", "place_id": m.grid_a1}]}),
        ),
        (
            "PUT",
            "/api/v1/users/{id}/roles",
            format!("/api/v1/users/{worker_a}/roles"),
            json!({"roles": [{"role": "community_worker", "place_id": c}]}),
        ),
        (
            "POST",
            "/api/v1/users/{id}/disable",
            format!("/api/v1/users/{worker_a}/disable"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/users/{id}/enable",
            format!("/api/v1/users/{worker_a}/enable"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/users/{id}/password",
            format!("/api/v1/users/{worker_a}/password"),
            json!({"password": "another-password-2026"}),
        ),
        (
            "POST",
            "/api/v1/users/{id}/unlock",
            format!("/api/v1/users/{worker_a}/unlock"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/volunteers",
            "/api/v1/volunteers".into(),
            json!({"name": "志三", "phone": "13800000003", "community_id": c}),
        ),
        (
            "POST",
            "/api/v1/volunteers/apply",
            "/api/v1/volunteers/apply".into(),
            json!({"name": "志四", "phone": "13800000004", "community_id": c}),
        ),
        (
            "POST",
            "/api/v1/volunteers/{id}/approve",
            format!("/api/v1/volunteers/{pending}/approve"),
            json!({}),
        ),
        (
            "POST",
            "/api/v1/volunteers/{id}/leave",
            format!("/api/v1/volunteers/{pending}/leave"),
            json!({"note": "搬走"}),
        ),
    ];

    // Every write route of the document is here or among the caller's own.
    let doc = t.get("/api/v1/openapi.json", a).await.expect(200);
    let mut documented = BTreeSet::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ["post", "put", "patch", "delete"] {
            if ops.get(method).is_some() {
                documented.insert(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    let covered: BTreeSet<String> = routes
        .iter()
        .map(|(m, p, _, _)| format!("{m} {p}"))
        .chain(OWN.iter().map(|s| s.to_string()))
        .collect();
    let missing: Vec<&String> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "write routes without an entry in the authorization matrix: {missing:?}"
    );
    let stale: Vec<&String> = covered.difference(&documented).collect();
    assert!(stale.is_empty(), "matrix entries for no route: {stale:?}");

    let mut holes = Vec::new();
    for (method, template, path, body) in &routes {
        let key = format!("{method} {template}");
        for (who, token) in [
            ("auditor", &auditor),
            ("another community's worker", &outsider),
        ] {
            if who != "auditor" && NOT_IN_A_COMMUNITY.contains(&key.as_str()) {
                continue;
            }
            let r = send(&t, method, path, token, body).await;
            if !refused(&r) {
                holes.push(format!(
                    "{method} {template}: {who} got {} {}",
                    r.status, r.body
                ));
            }
        }
        let r = send(&t, method, path, a, body).await;
        if matches!(r.status.as_u16(), 401 | 403 | 404) || r.status.is_server_error() {
            holes.push(format!(
                "{method} {template}: the administrator got {} {}",
                r.status, r.body
            ));
        }
    }
    assert!(holes.is_empty(), "{}", holes.join("\n"));
}
