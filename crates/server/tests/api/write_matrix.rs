//! Issue 12, point 7: every write route in the OpenAPI document, tried by those who may not write there,
//! before someone who may. Each route states what the write needs (a permission at the place of its
//! object, see [`Needs`]); a user holding only one role is made for each of the thirteen roles, granted at
//! its natural place in community A's tree, and every role the route is not open to must be refused. So
//! must the auditor (who changes nothing) and a worker of another community; then the administrator must
//! get through. A route added without an entry here fails the suite, and so does one whose check lets
//! anyone of these through.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{json, Value};
use wushe_domain::accounts::role::{can_grant, Permission as P, Role};

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

/// A place of the matrix's map where an object lies or a role is granted: community A's tree from the
/// `map()` fixture, with a spare building and a lane added in grid A1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Where {
    /// The whole system: a grant without a place (the administrator's, the auditor's).
    System,
    /// The street above both communities.
    Street,
    /// Community A, where community-level objects are kept (teams, activities, volunteers, items,
    /// demands, resources, projects, the order station).
    Community,
    /// Grid A1.
    Grid,
    /// Grid A2.
    Grid2,
    /// Building A1 in grid A1, the households' and residents' place.
    Building,
    /// The spare building in grid A1, renamed, moved and archived.
    Spare,
    /// A lane in grid A1.
    Lane,
}

impl Where {
    fn parent(self) -> Option<Where> {
        match self {
            Where::System => None,
            Where::Street => Some(Where::System),
            Where::Community => Some(Where::Street),
            Where::Grid | Where::Grid2 => Some(Where::Community),
            Where::Building | Where::Spare | Where::Lane => Some(Where::Grid),
        }
    }

    /// True when `self` is `other` or lies above it (a grant here covers `other`).
    fn covers(self, other: Where) -> bool {
        self == other || other.parent().is_some_and(|p| self.covers(p))
    }

    /// Where a role is granted in the matrix: its natural place in community A's tree.
    fn of(role: Role) -> Where {
        match role {
            Role::Admin | Role::Auditor => Where::System,
            Role::StreetAdmin => Where::Street,
            Role::GridSteward => Where::Grid,
            Role::BuildingHead => Where::Building,
            Role::LaneHead => Where::Lane,
            Role::CommunityAdmin
            | Role::CommunityWorker
            | Role::SocialWorker
            | Role::SocialOrg
            | Role::Partner
            | Role::Volunteer
            | Role::Resident => Where::Community,
        }
    }
}

/// What a write needs, as the use case checks it, for the object and body the matrix sends. None of the
/// matrix's users placed an order, leads a team, is an assignee or has a volunteer registration, so the
/// ways in that those give do not appear, and every route's rule is one of these: self service (applying
/// as a volunteer, ordering for a household), an event's level and the grants a manager may make included.
#[derive(Debug, Clone, Copy)]
enum Needs {
    /// The permission through a grant at or above the place (`Actor::can`, `Actor::check_community`).
    At(P, Where),
    /// The permission through a grant at, above or inside the place (one may report in the grid one
    /// lives in, and apply as a volunteer in one's community).
    Near(P, Where),
    /// The permission through any grant (`Actor::has_anywhere`).
    Anywhere(P),
    /// Granting the role at the place: `manage_users` through a grant at or above it, of a role that may
    /// grant that one (`can_grant`).
    Grants(Role, Where),
    /// Any of these.
    Any(&'static [Needs]),
    /// All of these.
    All(&'static [Needs]),
}

impl Needs {
    /// True when a user holding only `role`, granted at `at`, may make the write.
    fn met_by(self, role: Role, at: Where) -> bool {
        match self {
            Needs::At(p, w) => role.allows(p) && at.covers(w),
            Needs::Near(p, w) => role.allows(p) && (at.covers(w) || w.covers(at)),
            Needs::Anywhere(p) => role.allows(p),
            Needs::Grants(r, w) => {
                role.allows(P::ManageUsers) && at.covers(w) && can_grant(role, r)
            }
            Needs::Any(n) => n.iter().any(|n| n.met_by(role, at)),
            Needs::All(n) => n.iter().all(|n| n.met_by(role, at)),
        }
    }
}

/// Residents and households, all in building A1.
const PEOPLE: Needs = Needs::At(P::WritePeople, Where::Building);
/// Volunteers, teams, activities and hours of community A.
const VOLUNTEERS: Needs = Needs::At(P::ManageVolunteers, Where::Community);
/// The points policy and the supermarket of community A.
const CHARITY: Needs = Needs::At(P::ManageCharity, Where::Community);
/// Community A's dispatch station (orders, categories, deadlines, the demand and resource lists).
const STATION: Needs = Needs::At(P::DispatchOrders, Where::Community);
/// Serving an order: the station, or a carrier running teams in the community.
const SERVE: Needs = Needs::Any(&[STATION, VOLUNTEERS]);
/// An event's steps, taken at the level it is at: grid A1 (it is escalated only by the last route).
const EVENT_STEP: Needs = Needs::At(P::HandleEvents, Where::Grid);
/// Managing worker A, whose one grant is at community A.
const MANAGE_WORKER_A: Needs = Needs::At(P::ManageUsers, Where::Community);

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
async fn no_write_route_lets_a_role_without_the_right_through() {
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
    // Dispatched, so that declining is a step its status allows when it is tried (`order` is accepted
    // by then): a refusal is then the permission's, not the status's.
    let to_decline = id_of(
        t.post(
            "/api/v1/orders",
            a,
            json!({"community_id": m.community_a, "household_id": h, "category": "养老", "content": "助浴"}),
        )
        .await,
    )
    .await;
    t.post(
        &format!("/api/v1/orders/{to_decline}/dispatch"),
        a,
        json!({"team_id": team}),
    )
    .await
    .expect(200);
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
    // One user per role, holding only that role at its natural place in community A's tree.
    let lane = t.place("lane", "一巷", Some(&m.grid_a1)).await;
    let mut staff: Vec<(Role, Where, String)> = Vec::new();
    for role in Role::ALL {
        let at = Where::of(role);
        let token = match role {
            Role::Admin => a.clone(),
            Role::Auditor => auditor.clone(),
            _ => {
                let place = match at {
                    Where::Street => &m.street,
                    Where::Community => &m.community_a,
                    Where::Grid => &m.grid_a1,
                    Where::Building => &m.building_a1,
                    Where::Lane => &lane,
                    _ => unreachable!("{role:?} is granted at {at:?}"),
                };
                t.user(
                    &format!("matrix_{}", role.as_str()),
                    role.as_str(),
                    Some(place),
                )
                .await
            }
        };
        staff.push((role, at, token));
    }
    let c = &m.community_a;
    let today = chrono::Utc::now().date_naive();

    // Every write route: the path with community A's ids, and a body that is valid for someone allowed.
    let routes: Vec<(&str, &str, String, Value, Needs)> = vec![
        (
            "PATCH",
            "/api/v1/households/{id}",
            format!("/api/v1/households/{h}"),
            json!({"address": "101室"}),
            PEOPLE,
        ),
        (
            "PUT",
            "/api/v1/households/{id}",
            format!("/api/v1/households/{h}"),
            json!({"tags": []}),
            PEOPLE,
        ),
        (
            "PATCH",
            "/api/v1/places/{id}",
            format!("/api/v1/places/{spare}"),
            json!({"name": "九栋"}),
            Needs::At(P::ManagePlaces, Where::Spare),
        ),
        (
            "PATCH",
            "/api/v1/residents/{id}",
            format!("/api/v1/residents/{r}"),
            json!({"relation": "户主"}),
            PEOPLE,
        ),
        (
            "PUT",
            "/api/v1/residents/{id}",
            format!("/api/v1/residents/{r}"),
            json!({"name": "甲一"}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/activities",
            "/api/v1/activities".into(),
            json!({"title": "义诊", "community_id": c, "starts_at": start, "ends_at": start + chrono::Duration::hours(1), "place_text": "广场", "capacity": 5}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/publish",
            format!("/api/v1/activities/{act}/publish"),
            json!({}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/signups",
            format!("/api/v1/activities/{act}/signups"),
            json!({"volunteer_id": v}),
            // For a volunteer not one's own: only who runs the activity.
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/checkins",
            format!("/api/v1/activities/{act}/checkins"),
            json!({"volunteer_id": v}),
            // For a volunteer not one's own: only who runs the activity.
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/checkouts",
            format!("/api/v1/activities/{act}/checkouts"),
            json!({"volunteer_id": v}),
            // For a volunteer not one's own: only who runs the activity.
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/hours",
            format!("/api/v1/activities/{act}/hours"),
            json!({"lines": [{"volunteer_id": v, "minutes": 30}]}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/complete",
            format!("/api/v1/activities/{act}/complete"),
            json!({"summary": "完成"}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/activities/{id}/cancel",
            format!("/api/v1/activities/{act}/cancel"),
            json!({"reason": "下雨"}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/certificates",
            "/api/v1/certificates".into(),
            json!({"volunteer_id": v}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/communities/{id}/service-categories",
            format!("/api/v1/communities/{c}/service-categories"),
            json!({"name": "助浴", "parent": "养老"}),
            STATION,
        ),
        (
            "POST",
            "/api/v1/communities/{id}/tags",
            format!("/api/v1/communities/{c}/tags"),
            json!({"tag": "空巢老人"}),
            Needs::At(P::ManagePlaces, Where::Community),
        ),
        (
            "POST",
            "/api/v1/erasures",
            "/api/v1/erasures".into(),
            json!({"subject_type": "resident", "subject_id": r, "basis": "本人申请"}),
            Needs::At(P::ManageUsers, Where::Building),
        ),
        (
            "PUT",
            "/api/v1/communities/{id}/event-deadlines",
            format!("/api/v1/communities/{c}/event-deadlines"),
            json!({"category": "其他", "accept_hours": 2, "dispatch_hours": 2, "resolve_hours": 48, "verify_hours": 24, "close_hours": 24}),
            STATION,
        ),
        (
            "PUT",
            "/api/v1/communities/{id}/order-deadlines",
            format!("/api/v1/communities/{c}/order-deadlines"),
            json!({"category": "养老", "dispatch_hours": 2, "accept_hours": 2, "complete_hours": 48, "evaluate_days": 7}),
            STATION,
        ),
        (
            "PUT",
            "/api/v1/communities/{id}/points-policy",
            format!("/api/v1/communities/{c}/points-policy"),
            json!({"points_per_hour": 2, "points_per_item": 2, "star_threshold": 30, "valid_from": today}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/demands",
            "/api/v1/demands".into(),
            json!({"community_id": c, "category": "养老", "content": "助浴", "urgency": "low"}),
            // Kept at the community itself (no household or place named).
            Needs::Any(&[Needs::At(P::WritePeople, Where::Community), STATION]),
        ),
        (
            "POST",
            "/api/v1/events",
            "/api/v1/events".into(),
            json!({"grid_id": m.grid_a1, "category": "其他", "description": "井盖", "location_text": "2栋"}),
            Needs::Near(P::ReportEvents, Where::Grid),
        ),
        (
            "POST",
            "/api/v1/events/{id}/accept",
            format!("/api/v1/events/{event}/accept"),
            json!({}),
            EVENT_STEP,
        ),
        (
            "POST",
            "/api/v1/events/{id}/dispatch",
            format!("/api/v1/events/{event}/dispatch"),
            json!({"assignee_id": team}),
            EVENT_STEP,
        ),
        (
            "POST",
            "/api/v1/events/{id}/resolve",
            format!("/api/v1/events/{event}/resolve"),
            json!({"note": "修好"}),
            EVENT_STEP,
        ),
        (
            "POST",
            "/api/v1/events/{id}/verify",
            format!("/api/v1/events/{event}/verify"),
            json!({"passed": true, "note": "好"}),
            EVENT_STEP,
        ),
        (
            "POST",
            "/api/v1/events/{id}/close",
            format!("/api/v1/events/{event}/close"),
            json!({"result": "已修复"}),
            EVENT_STEP,
        ),
        (
            "POST",
            "/api/v1/events/{id}/escalate",
            format!("/api/v1/events/{event}/escalate"),
            json!({"reason": "需要社区协调"}),
            EVENT_STEP,
        ),
        (
            "POST",
            "/api/v1/households",
            "/api/v1/households".into(),
            json!({"place_id": m.building_a1, "address": "201", "tags": []}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/households/{id}/archive",
            format!("/api/v1/households/{h2}/archive"),
            json!({}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/households/{id}/restore",
            format!("/api/v1/households/{h2}/restore"),
            json!({}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/imports/residents",
            "/api/v1/imports/residents".into(),
            json!({}),
            Needs::Anywhere(P::ImportPeople),
        ),
        (
            "POST",
            "/api/v1/imports/volunteers",
            "/api/v1/imports/volunteers".into(),
            json!({"community_id": c}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/item-donations",
            "/api/v1/item-donations".into(),
            json!({"donor_name": "王先生", "items": [{"item_id": item, "quantity": 1}], "community_id": c}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/open311/keys",
            "/api/v1/open311/keys".into(),
            json!({"name": "12345平台", "place_id": m.grid_a1}),
            Needs::At(P::DispatchOrders, Where::Grid),
        ),
        (
            "POST",
            "/api/v1/orders",
            "/api/v1/orders".into(),
            json!({"community_id": c, "household_id": h, "category": "养老", "content": "理发"}),
            // The station, who keeps the household's records, or who lives in its building.
            Needs::Any(&[STATION, PEOPLE, Needs::At(P::SelfService, Where::Building)]),
        ),
        (
            "POST",
            "/api/v1/orders/{id}/dispatch",
            format!("/api/v1/orders/{order}/dispatch"),
            json!({"team_id": team}),
            STATION,
        ),
        (
            "POST",
            "/api/v1/orders/{id}/accept",
            format!("/api/v1/orders/{order}/accept"),
            json!({}),
            SERVE,
        ),
        (
            "POST",
            "/api/v1/orders/{id}/decline",
            format!("/api/v1/orders/{to_decline}/decline"),
            json!({"reason": "人手不够"}),
            SERVE,
        ),
        (
            "POST",
            "/api/v1/orders/{id}/complete",
            format!("/api/v1/orders/{order}/complete"),
            json!({"note": "完成"}),
            SERVE,
        ),
        (
            "POST",
            "/api/v1/orders/{id}/evaluations",
            format!("/api/v1/orders/{order}/evaluations"),
            json!({"by": "station", "score": 5}),
            STATION,
        ),
        (
            "POST",
            "/api/v1/photos",
            "/api/v1/photos".into(),
            json!({}),
            Needs::Any(&[
                Needs::Anywhere(P::ReportEvents),
                Needs::Anywhere(P::DispatchOrders),
            ]),
        ),
        (
            "POST",
            "/api/v1/places",
            "/api/v1/places".into(),
            json!({"kind": "building", "name": "10栋", "parent_id": m.grid_a1}),
            Needs::At(P::ManagePlaces, Where::Grid),
        ),
        (
            "POST",
            "/api/v1/places/{id}/move",
            format!("/api/v1/places/{spare}/move"),
            json!({"parent_id": m.grid_a2}),
            // Both the place and its new parent.
            Needs::All(&[
                Needs::At(P::ManagePlaces, Where::Spare),
                Needs::At(P::ManagePlaces, Where::Grid2),
            ]),
        ),
        (
            "POST",
            "/api/v1/places/{id}/archive",
            format!("/api/v1/places/{spare}/archive"),
            json!({}),
            Needs::At(P::ManagePlaces, Where::Spare),
        ),
        (
            "POST",
            "/api/v1/places/{id}/restore",
            format!("/api/v1/places/{spare}/restore"),
            json!({}),
            Needs::At(P::ManagePlaces, Where::Spare),
        ),
        (
            "POST",
            "/api/v1/projects",
            "/api/v1/projects".into(),
            json!({"community_id": c, "title": "助浴", "demand_ids": [demand], "resource_ids": [resource]}),
            STATION,
        ),
        (
            "POST",
            "/api/v1/projects/{id}/{action}",
            format!("/api/v1/projects/{project}/approve"),
            json!({"meeting": "联席会"}),
            STATION,
        ),
        (
            "POST",
            "/api/v1/redemptions",
            "/api/v1/redemptions".into(),
            json!({"volunteer_id": v, "item_id": item, "quantity": 1}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/residents",
            "/api/v1/residents".into(),
            json!({"household_id": h, "name": "乙", "sex": "female"}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/residents/{id}/move",
            format!("/api/v1/residents/{r}/move"),
            json!({"household_id": h2}),
            // The resident and the household it moves to are both in building A1.
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/residents/{id}/archive",
            format!("/api/v1/residents/{r}/archive"),
            json!({}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/residents/{id}/restore",
            format!("/api/v1/residents/{r}/restore"),
            json!({}),
            PEOPLE,
        ),
        (
            "POST",
            "/api/v1/resources",
            "/api/v1/resources".into(),
            json!({"community_id": c, "kind": "venue", "name": "活动室", "categories": ["养老"], "capacity": 1}),
            STATION,
        ),
        (
            "POST",
            "/api/v1/rewards",
            "/api/v1/rewards".into(),
            json!({"name": "理发券", "unit": "张", "community_id": c, "points_price": 5, "merchant": "理发店", "quantity": 5}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/service-records",
            "/api/v1/service-records".into(),
            json!({"volunteer_id": v, "minutes": 30, "served_on": today, "content": "送餐"}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/service-records/{id}/reverse",
            format!("/api/v1/service-records/{record}/reverse"),
            json!({"reason": "录错"}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/supermarket/issues",
            "/api/v1/supermarket/issues".into(),
            json!({"item_id": item, "quantity": 1, "household_id": h, "reason": "低保户"}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/supermarket/items",
            "/api/v1/supermarket/items".into(),
            json!({"name": "食用油", "unit": "桶", "community_id": c, "points_price": 20}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/supermarket/items/{id}/stocktake",
            format!("/api/v1/supermarket/items/{item}/stocktake"),
            json!({"counted": 19, "reason": "盘点"}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/supermarket/purchases",
            "/api/v1/supermarket/purchases".into(),
            json!({"item_id": item, "quantity": 5, "supplier": "超市"}),
            CHARITY,
        ),
        (
            "POST",
            "/api/v1/teams",
            "/api/v1/teams".into(),
            json!({"name": "助餐队", "community_id": c}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/teams/{id}/members",
            format!("/api/v1/teams/{team}/members"),
            json!({"volunteer_id": v}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/teams/{id}/members/{volunteer_id}/leave",
            format!("/api/v1/teams/{team}/members/{v}/leave"),
            json!({}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/users",
            "/api/v1/users".into(),
            json!({"username": "matrix_new", "password": "user-password-2026", "display_name": "新", "roles": [{"role": "grid_steward", "place_id": m.grid_a1}]}),
            // What the body grants, where.
            Needs::Grants(Role::GridSteward, Where::Grid),
        ),
        (
            "PUT",
            "/api/v1/users/{id}/roles",
            format!("/api/v1/users/{worker_a}/roles"),
            json!({"roles": [{"role": "community_worker", "place_id": c}]}),
            // Managing worker A, and granting what the body grants.
            Needs::All(&[
                MANAGE_WORKER_A,
                Needs::Grants(Role::CommunityWorker, Where::Community),
            ]),
        ),
        (
            "POST",
            "/api/v1/users/{id}/disable",
            format!("/api/v1/users/{worker_a}/disable"),
            json!({}),
            MANAGE_WORKER_A,
        ),
        (
            "POST",
            "/api/v1/users/{id}/enable",
            format!("/api/v1/users/{worker_a}/enable"),
            json!({}),
            MANAGE_WORKER_A,
        ),
        (
            "POST",
            "/api/v1/users/{id}/password",
            format!("/api/v1/users/{worker_a}/password"),
            json!({"password": "another-password-2026"}),
            MANAGE_WORKER_A,
        ),
        (
            "POST",
            "/api/v1/users/{id}/unlock",
            format!("/api/v1/users/{worker_a}/unlock"),
            json!({}),
            MANAGE_WORKER_A,
        ),
        (
            "POST",
            "/api/v1/volunteers",
            "/api/v1/volunteers".into(),
            json!({"name": "志三", "phone": "13800000003", "community_id": c}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/volunteers/apply",
            "/api/v1/volunteers/apply".into(),
            json!({"name": "志四", "phone": "13800000004", "community_id": c}),
            // Signing oneself up: any grant in or above the community, with self service.
            Needs::Near(P::SelfService, Where::Community),
        ),
        (
            "POST",
            "/api/v1/volunteers/{id}/approve",
            format!("/api/v1/volunteers/{pending}/approve"),
            json!({}),
            VOLUNTEERS,
        ),
        (
            "POST",
            "/api/v1/volunteers/{id}/leave",
            format!("/api/v1/volunteers/{pending}/leave"),
            json!({"note": "搬走"}),
            VOLUNTEERS,
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
        .map(|(m, p, _, _, _)| format!("{m} {p}"))
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
    let mut refusals = 0;
    for (method, template, path, body, needs) in &routes {
        let key = format!("{method} {template}");
        assert!(
            !needs.met_by(Role::Auditor, Where::System),
            "{key}: the auditor changes nothing"
        );
        // Who must be refused: every role the write is not open to (the auditor among them), and the
        // other community's worker unless the write names nothing in a community.
        let mut refused_to: Vec<(String, &str)> = staff
            .iter()
            .filter(|(role, at, _)| !needs.met_by(*role, *at))
            .map(|(role, at, token)| (format!("{} at {at:?}", role.as_str()), token.as_str()))
            .collect();
        refusals += refused_to.len();
        if !NOT_IN_A_COMMUNITY.contains(&key.as_str()) {
            refused_to.push(("another community's worker".into(), &outsider));
        }
        for (who, token) in refused_to {
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
    eprintln!(
        "authorization matrix: {} write routes, {refusals} refusals of a role",
        routes.len()
    );
    assert!(holes.is_empty(), "{}", holes.join("\n"));
}
