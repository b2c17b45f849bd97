//! The demo street's service loop: orders in every state (one evaluated and closed), grid events (one
//! closed with its published result, one waiting), a quarter's demands and resources, and a project approved
//! at a joint meeting and claimed. Made through the same use cases as real work.

use uuid::Uuid;
use wushe_domain::lists::project;
use wushe_domain::service::{event, order};

use wushe_app::lists::{DemandInput, ProjectStepInput, ResourceInput};
use wushe_app::service::events::{Report, StepInput};
use wushe_app::service::orders::{ActInput, OrderInput};
use wushe_app::{Actor, App, AppResult};

/// Seeds the service loop of one demo community (after its volunteers, whose team serves the orders).
pub async fn seed_community(app: &App, community: Uuid) -> AppResult<()> {
    let sys = Actor::system();
    let residents = wushe_app::people::residents::list(
        app,
        &sys,
        &Default::default(),
        Some(community),
        None,
        Some(60),
    )
    .await?
    .items;
    let mut homes: Vec<Uuid> = Vec::new();
    for r in &residents {
        if !homes.contains(&r.household_id) {
            homes.push(r.household_id);
        }
    }
    let Some(team) =
        wushe_app::volunteering::volunteers::list_teams(app, &sys, Some(community), None, Some(1))
            .await?
            .items
            .into_iter()
            .next()
    else {
        return Ok(());
    };
    let grids = wushe_app::map::places::children(app, &sys, community, false).await?;
    if homes.len() < 3 || grids.len() < 2 {
        return Ok(());
    }

    // 四单: one round the whole loop, one dispatched, one just placed.
    let place = |home: Uuid, category: &str, content: &str| OrderInput {
        community_id: Some(community),
        household_id: Some(home),
        category: category.into(),
        content: content.into(),
        wanted_by: None,
        photos: vec![],
    };
    let done = wushe_app::service::orders::place(
        app,
        &sys,
        place(homes[0], "养老", "腿脚不便，想请人帮忙买菜"),
    )
    .await?;
    let to_team = || ActInput {
        team_id: Some(team.id),
        ..Default::default()
    };
    wushe_app::service::orders::act(app, &sys, done.id, order::Action::Dispatch, to_team()).await?;
    wushe_app::service::orders::act(
        app,
        &sys,
        done.id,
        order::Action::Accept,
        ActInput::default(),
    )
    .await?;
    let note = ActInput {
        note: "已代购并送到家".into(),
        ..Default::default()
    };
    wushe_app::service::orders::act(app, &sys, done.id, order::Action::Complete, note).await?;
    for (by, comment) in [("resident", "很及时，谢谢"), ("station", ""), ("team", "")] {
        wushe_app::service::orders::evaluate(app, &sys, done.id, Some(by), Some(5), comment)
            .await?;
    }
    let going = wushe_app::service::orders::place(
        app,
        &sys,
        place(homes[1], "医疗健康", "陪同去社区医院复诊"),
    )
    .await?;
    wushe_app::service::orders::act(app, &sys, going.id, order::Action::Dispatch, to_team())
        .await?;
    wushe_app::service::orders::place(app, &sys, place(homes[2], "其他", "家里水龙头漏水")).await?;

    // 网格事件: one closed with its result published, one waiting to be accepted.
    let report = |grid: Uuid, category: &str, description: &str, location: &str| Report {
        grid_id: Some(grid),
        category: category.into(),
        description: description.into(),
        location_text: location.into(),
        ..Default::default()
    };
    let road = wushe_app::service::events::report(
        app,
        &sys,
        report(
            grids[0].id,
            "道路破损",
            "路面塌陷一个坑，雨天积水",
            "1栋东侧路口",
        ),
        "app",
    )
    .await?;
    for (action, input) in [
        (event::Action::Accept, StepInput::default()),
        (
            event::Action::Dispatch,
            StepInput {
                assignee_id: Some(team.id),
                ..Default::default()
            },
        ),
        (
            event::Action::Resolve,
            StepInput {
                note: "已用沥青填补".into(),
                ..Default::default()
            },
        ),
        (
            event::Action::Verify,
            StepInput {
                passed: Some(true),
                ..Default::default()
            },
        ),
        (
            event::Action::Close,
            StepInput {
                result: "路面已修复，积水已排".into(),
                satisfaction: Some(5),
                ..Default::default()
            },
        ),
    ] {
        wushe_app::service::events::act(app, &sys, road.id, action, input).await?;
    }
    wushe_app::service::events::report(
        app,
        &sys,
        report(grids[1].id, "设施损坏", "路灯不亮，晚上很黑", "5栋北门"),
        "app",
    )
    .await?;

    // 三单: two demands, two resources, a project for the first.
    let meal = wushe_app::lists::create_demand(
        app,
        &sys,
        DemandInput {
            community_id: Some(community),
            category: "养老".into(),
            content: "独居老人午餐送餐".into(),
            urgency: Some("high".into()),
            group_text: "1-3栋独居老人".into(),
            skills: vec!["烹饪".into()],
            ..Default::default()
        },
    )
    .await?;
    wushe_app::lists::create_demand(
        app,
        &sys,
        DemandInput {
            community_id: Some(community),
            category: "儿童".into(),
            content: "四点半课堂作业辅导".into(),
            source: Some("meeting".into()),
            ..Default::default()
        },
    )
    .await?;
    let canteen = wushe_app::lists::create_resource(
        app,
        &sys,
        ResourceInput {
            community_id: Some(community),
            kind: "venue".into(),
            name: "社区长者食堂".into(),
            categories: vec!["养老".into()],
            skills: vec!["烹饪".into()],
            capacity: Some(30),
            availability: "周一至周五".into(),
            provider_name: "阳光餐饮公司".into(),
            ..Default::default()
        },
    )
    .await?;
    wushe_app::lists::create_resource(
        app,
        &sys,
        ResourceInput {
            community_id: Some(community),
            kind: "people".into(),
            name: "大学生志愿辅导".into(),
            categories: vec!["儿童".into()],
            skills: vec!["教学".into()],
            availability: "周一至周五".into(),
            provider_name: "湖南师范大学青年志愿者协会".into(),
            ..Default::default()
        },
    )
    .await?;
    let p = wushe_app::lists::create_project(
        app,
        &sys,
        Some(community),
        "长者助餐",
        "为独居老人提供午餐送餐",
        &[meal.id],
        &[canteen.id],
    )
    .await?;
    wushe_app::lists::act_project(
        app,
        &sys,
        p.id,
        project::Action::Approve,
        ProjectStepInput {
            meeting: "本季度联席会议".into(),
            ..Default::default()
        },
    )
    .await?;
    wushe_app::lists::act_project(
        app,
        &sys,
        p.id,
        project::Action::Claim,
        ProjectStepInput {
            claimant_name: "阳光餐饮公司".into(),
            claimant_kind: "partner".into(),
            note: "提供午餐".into(),
            ..Default::default()
        },
    )
    .await?;
    Ok(())
}
