//! The demo street's volunteers, in the shape of the Yangming Villa seed: a volunteer team with sub-groups,
//! volunteers drawn from the residents, a finished activity with its hours and points, an upcoming one,
//! and a charity supermarket with goods and merchant vouchers. Made through the same use cases as real
//! work, so every ledger adds up from the first start.

use chrono::{Duration, Utc};
use uuid::Uuid;
use wushe_domain::volunteering::activity::Step;

use wushe_app::charity::supermarket::{DonationLine, ItemInput};
use wushe_app::volunteering::activities::{ActivityInput, Completion, HoursLine, Task};
use wushe_app::volunteering::volunteers::VolunteerInput;
use wushe_app::{Actor, App, AppResult};

/// Volunteers made per community.
const PER_COMMUNITY: usize = 12;

/// Seeds the volunteer side of one demo community.
pub async fn seed_community(app: &App, community: Uuid) -> AppResult<usize> {
    let sys = Actor::system();
    let residents = wushe_app::people::residents::list(
        app,
        &sys,
        &Default::default(),
        Some(community),
        None,
        Some(200),
    )
    .await?
    .items;
    let adults: Vec<_> = residents
        .iter()
        .filter(|r| {
            r.birth_date
                .is_some_and(|b| crate::demo::is_adult(b, app.today()))
        })
        .step_by(3)
        .take(PER_COMMUNITY)
        .collect();
    let mut volunteers = Vec::new();
    for (i, r) in adults.iter().enumerate() {
        let skills = [
            ["理发"],
            ["医疗护理"],
            ["心理疏导"],
            ["摄影"],
            ["法律咨询"],
            ["电器维修"],
        ][i % 6];
        let v = wushe_app::volunteering::volunteers::register(
            app,
            &sys,
            VolunteerInput {
                resident_id: Some(r.id),
                community_id: Some(community),
                phone: Some(format!(
                    "1390731{:04}",
                    (i * 37 + community.as_bytes()[15] as usize) % 10_000
                )),
                skills: skills.iter().map(|s| s.to_string()).collect(),
                categories: vec![["扶老助老", "关爱儿童", "平安巡逻"][i % 3].to_string()],
                party_member: i % 3 == 0,
                in_service_party_member: i % 6 == 0,
                work_unit: if i % 6 == 0 {
                    "湘江新区人民医院".into()
                } else {
                    String::new()
                },
                availability: ["周末上午", "工作日晚上", "随时"][i % 3].into(),
                ..Default::default()
            },
        )
        .await?;
        volunteers.push(v);
    }
    if volunteers.len() < 4 {
        return Ok(volunteers.len());
    }
    let team = wushe_app::volunteering::volunteers::create_team(
        app,
        &sys,
        Some(community),
        None,
        "志愿服务队",
        "社区志愿服务队，下设四个小组",
        Some(volunteers[0].id),
    )
    .await?;
    let mut groups = Vec::new();
    for name in ["策划组", "探访组", "心理疏导组", "安全巡逻组"] {
        groups.push(
            wushe_app::volunteering::volunteers::create_team(
                app,
                &sys,
                None,
                Some(team.id),
                name,
                "",
                None,
            )
            .await?,
        );
    }
    let ids: Vec<Uuid> = volunteers[1..].iter().map(|v| v.id).collect();
    wushe_app::volunteering::volunteers::add_members(app, &sys, team.id, &ids, None, "").await?;
    for (i, v) in volunteers.iter().enumerate().skip(1) {
        wushe_app::volunteering::volunteers::add_members(
            app,
            &sys,
            groups[i % groups.len()].id,
            &[v.id],
            None,
            "",
        )
        .await?;
    }

    // Last week's haircuts for the elderly, with everyone's hours recorded and the summary written.
    let start = (Utc::now() - Duration::days(6))
        .date_naive()
        .and_hms_opt(1, 0, 0)
        .expect("time")
        .and_utc();
    let done = wushe_app::volunteering::activities::create(
        app,
        &sys,
        ActivityInput {
            title: "义务理发进小区".into(),
            community_id: Some(community),
            team_id: Some(team.id),
            starts_at: Some(start),
            ends_at: Some(start + Duration::hours(3)),
            place_text: "社区党群服务中心".into(),
            capacity: Some(10),
            content: "为独居、空巢老人免费理发".into(),
            skills: vec!["理发".into()],
            tasks: vec![Task {
                team_id: Some(groups[1].id),
                title: "上门接送行动不便的老人".into(),
                team_name: None,
            }],
        },
    )
    .await?;
    wushe_app::volunteering::activities::advance(app, &sys, done.id, Step::Publish, "", None)
        .await?;
    let lines: Vec<HoursLine> = volunteers
        .iter()
        .take(6)
        .enumerate()
        .map(|(i, v)| HoursLine {
            volunteer_id: v.id,
            minutes: 120 + 30 * (i as i64 % 3),
        })
        .collect();
    wushe_app::volunteering::activities::record_hours(app, &sys, done.id, &lines).await?;
    wushe_app::volunteering::activities::advance(
        app,
        &sys,
        done.id,
        Step::Complete,
        "",
        Some(Completion {
            summary: "为23位老人理发，探访组接送行动不便的老人6位".into(),
            feedback: "老人们希望每月一次".into(),
            photos: vec![],
        }),
    )
    .await?;

    // Next week's clean-up, open for sign-up.
    let next = (Utc::now() + Duration::days(5))
        .date_naive()
        .and_hms_opt(1, 30, 0)
        .expect("time")
        .and_utc();
    let open = wushe_app::volunteering::activities::create(
        app,
        &sys,
        ActivityInput {
            title: "楼道环境清扫".into(),
            community_id: Some(community),
            team_id: Some(team.id),
            starts_at: Some(next),
            ends_at: Some(next + Duration::hours(2)),
            place_text: "1-8栋楼道".into(),
            capacity: Some(20),
            content: "清理楼道杂物，张贴消防安全提示".into(),
            ..Default::default()
        },
    )
    .await?;
    wushe_app::volunteering::activities::advance(app, &sys, open.id, Step::Publish, "", None)
        .await?;
    wushe_app::volunteering::activities::sign_up(app, &sys, open.id, Some(volunteers[1].id))
        .await?;

    // The charity supermarket: goods donated by a company and a volunteer, and merchant vouchers.
    let rice = wushe_app::charity::supermarket::create_item(
        app,
        &sys,
        ItemInput {
            community_id: Some(community),
            name: "大米".into(),
            unit: "袋".into(),
            points_price: Some(10),
            ..Default::default()
        },
    )
    .await?;
    let oil = wushe_app::charity::supermarket::create_item(
        app,
        &sys,
        ItemInput {
            community_id: Some(community),
            name: "食用油".into(),
            unit: "桶".into(),
            points_price: Some(8),
            ..Default::default()
        },
    )
    .await?;
    let breakfast = wushe_app::charity::supermarket::create_item(
        app,
        &sys,
        ItemInput {
            community_id: Some(community),
            kind: Some("voucher".into()),
            name: "早餐券".into(),
            unit: "张".into(),
            merchant: "巷口早餐店".into(),
            points_price: Some(2),
            quantity: Some(30),
        },
    )
    .await?;
    wushe_app::charity::supermarket::create_item(
        app,
        &sys,
        ItemInput {
            community_id: Some(community),
            kind: Some("voucher".into()),
            name: "理发券".into(),
            unit: "张".into(),
            merchant: "阳光理发店".into(),
            points_price: Some(4),
            quantity: Some(10),
        },
    )
    .await?;
    wushe_app::charity::supermarket::donate(
        app,
        &sys,
        Some(community),
        None,
        "爱心粮油有限公司",
        &[
            DonationLine {
                item_id: rice.id,
                quantity: 20,
            },
            DonationLine {
                item_id: oil.id,
                quantity: 10,
            },
        ],
    )
    .await?;
    wushe_app::charity::supermarket::donate(
        app,
        &sys,
        Some(community),
        Some(volunteers[2].id),
        "",
        &[DonationLine {
            item_id: oil.id,
            quantity: 2,
        }],
    )
    .await?;
    wushe_app::charity::supermarket::redeem(
        app,
        &sys,
        Some(volunteers[0].id),
        Some(breakfast.id),
        Some(1),
    )
    .await?;
    Ok(volunteers.len())
}
