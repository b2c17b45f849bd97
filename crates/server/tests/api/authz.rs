//! The authorization matrix: each role, granted inside and outside a place, against every list, read,
//! search and export route of the foundation. Outside must see nothing.

use serde_json::Value;

use crate::common::{id_number, map, spawn};

fn ids(v: &Value) -> Vec<String> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_role_sees_only_its_subtree() {
    let t = spawn().await;
    let m = map(&t).await;
    let ha = t.household(&m.building_a1, "101").await;
    let hb = t.household(&m.building_b1, "101").await;
    let ra = t.resident(&ha, "甲", &id_number("19700101", 1)).await;
    let rb = t.resident(&hb, "乙", &id_number("19700101", 3)).await;
    // (role, where granted) → whether the resident in A1 (inside) is visible; the one in B1 is outside.
    let grants: Vec<(&str, String)> = vec![
        ("street_admin", m.street.clone()),
        ("community_admin", m.community_a.clone()),
        ("community_worker", m.community_a.clone()),
        ("social_worker", m.community_a.clone()),
        ("grid_steward", m.grid_a1.clone()),
        ("building_head", m.building_a1.clone()),
    ];
    let mut n = 0;
    for (role, place) in grants {
        n += 1;
        let tok = t.user(&format!("u{n}_{role}"), role, Some(&place)).await;
        let sees_b = role == "street_admin";
        let list = t.get("/api/v1/residents?limit=500", &tok).await.expect(200);
        let got = ids(&list);
        assert!(got.contains(&ra), "{role} must see A");
        assert_eq!(got.contains(&rb), sees_b, "{role} list of B");
        let search = t
            .get("/api/v1/residents?name=%E4%B9%99", &tok)
            .await
            .expect(200);
        assert_eq!(ids(&search).contains(&rb), sees_b, "{role} search for B");
        assert_eq!(
            t.get(&format!("/api/v1/residents/{ra}"), &tok).await.status,
            200,
            "{role} read A"
        );
        assert_eq!(
            t.get(&format!("/api/v1/residents/{rb}"), &tok)
                .await
                .status
                .as_u16(),
            if sees_b { 200 } else { 404 },
            "{role} read B"
        );
        assert_eq!(
            t.get(&format!("/api/v1/households/{hb}"), &tok)
                .await
                .status
                .as_u16(),
            if sees_b { 200 } else { 404 },
            "{role} household B"
        );
        assert_eq!(
            t.get(&format!("/api/v1/residents?household_id={hb}"), &tok)
                .await
                .status
                .as_u16(),
            if sees_b { 200 } else { 404 },
            "{role} list by household B"
        );
        let hh = t
            .get("/api/v1/households?limit=500", &tok)
            .await
            .expect(200);
        assert_eq!(ids(&hh).contains(&hb), sees_b, "{role} household list");
        assert_eq!(
            t.get(&format!("/api/v1/places/{}", m.grid_b1), &tok)
                .await
                .status
                .as_u16(),
            if sees_b { 200 } else { 404 },
            "{role} place B"
        );
        assert_eq!(
            t.get(&format!("/api/v1/residents?place_id={}", m.grid_b1), &tok)
                .await
                .status
                .as_u16(),
            if sees_b { 200 } else { 404 },
            "{role} filter by place B"
        );
        let export = t
            .http
            .get(t.url("/api/v1/residents/export.xlsx"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        if role == "building_head" || role == "social_worker" {
            assert_eq!(export.status(), 403, "{role} may not export");
        } else {
            assert_eq!(export.status(), 200, "{role} export");
            let sheet =
                wushe_app::kernel::sheet::read_first_sheet(&export.bytes().await.unwrap()).unwrap();
            let names: Vec<&str> = sheet.rows.iter().map(|r| r[0].text.as_str()).collect();
            assert!(names.contains(&"甲"));
            assert_eq!(names.contains(&"乙"), sees_b, "{role} export of B");
        }
    }
    // Roles without people permissions see nothing at all, even where they are granted.
    for (i, role) in ["volunteer", "resident", "partner", "social_org"]
        .iter()
        .enumerate()
    {
        let tok = t
            .user(&format!("other{i}"), role, Some(&m.community_a))
            .await;
        assert!(
            ids(&t.get("/api/v1/residents", &tok).await.expect(200)).is_empty(),
            "{role}"
        );
        assert_eq!(
            t.get(&format!("/api/v1/residents/{ra}"), &tok).await.status,
            404,
            "{role}"
        );
        assert!(
            ids(&t.get("/api/v1/households", &tok).await.expect(200)).is_empty(),
            "{role}"
        );
        assert_eq!(
            t.http
                .get(t.url("/api/v1/residents/export.xlsx"))
                .bearer_auth(&tok)
                .send()
                .await
                .unwrap()
                .status(),
            403
        );
    }
    // The auditor reads the audit log and no people.
    let aud = t.user("aud", "auditor", None).await;
    assert!(ids(&t.get("/api/v1/residents", &aud).await.expect(200)).is_empty());
    assert_eq!(
        t.get(&format!("/api/v1/residents/{ra}"), &aud).await.status,
        404
    );
}

#[tokio::test]
async fn writes_outside_the_subtree_are_refused_and_change_nothing() {
    let t = spawn().await;
    let m = map(&t).await;
    let hb = t.household(&m.building_b1, "101").await;
    let steward = t.user("steward1", "grid_steward", Some(&m.grid_a1)).await;
    let r = t
        .post(
            "/api/v1/residents",
            &steward,
            serde_json::json!({"household_id": hb, "name": "丙", "sex": "male"}),
        )
        .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.body["errors"][0]["field"], "household_id");
    let r = t
        .post(
            "/api/v1/households",
            &steward,
            serde_json::json!({"place_id": m.building_b1, "address": "202"}),
        )
        .await;
    assert_eq!(r.status, 400);
    let r = t
        .post(
            "/api/v1/places",
            &steward,
            serde_json::json!({"kind": "building", "name": "新楼", "parent_id": m.grid_a1}),
        )
        .await;
    assert_eq!(r.status, 403, "a grid steward does not manage places");
    let head = t.user("head1", "building_head", Some(&m.building_a1)).await;
    let r = t
        .post(
            "/api/v1/households",
            &head,
            serde_json::json!({"place_id": m.building_a1, "address": "303"}),
        )
        .await;
    assert_eq!(r.status, 403, "a building head reads only");
    assert_eq!(
        t.get("/api/v1/households", &t.admin).await.expect(200)["items"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}
