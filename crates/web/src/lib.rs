//! Wushe's HTTP edge: the JSON API (`/api/v1`, OpenAPI at `/api/v1/openapi.json`, docs at `/api/docs`),
//! the server-rendered pages (`/`), health and metrics. Handlers parse, call one use case, and map.

pub mod api;
pub mod client;
pub mod cross_site;
pub mod extract;
pub mod i18n;
pub mod idempotency;
pub mod open311;
pub mod ops;
pub mod problem;
pub mod ui;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    /// The use cases, shared: every layer clones the state on every request.
    pub app: Arc<wushe_app::App>,
    /// Set the `Secure` flag on cookies even when a request does not show it came over HTTPS.
    pub secure_cookies: bool,
    /// Proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed.
    pub trusted_proxies: Arc<Vec<ipnet::IpNet>>,
    /// The bearer token `/metrics` asks for; without one it answers only this machine.
    pub metrics_token: Option<Arc<str>>,
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Wushe 五社 API", version = "1", description = "五社联动社区治理平台的公开接口。Errors are RFC 9457 problem details with a stable `code`."),
    tags(
        (name = "auth", description = "登录与会话 / login and sessions"),
        (name = "users", description = "用户与角色 / users and roles"),
        (name = "places", description = "地点：区、街道、社区、网格、楼栋、街巷 / places"),
        (name = "people", description = "住户与居民 / households and residents"),
        (name = "imports", description = "Excel 导入 / spreadsheet import"),
        (name = "audit", description = "审计日志 / audit log"),
        (name = "volunteers", description = "志愿者与服务队 / volunteers and teams"),
        (name = "activities", description = "志愿活动与服务时长 / activities and service hours"),
        (name = "points", description = "积分银行与慈善超市 / points bank and charity supermarket"),
        (name = "events", description = "网格事件：上报、受理、派遣、处置、核查、结案、上报上级 / grid events"),
        (name = "lists", description = "三单制：需求清单、资源清单、项目清单与匹配 / demand, resource and project lists and matching"),
        (name = "orders", description = "四单机制：点单、派单、接单、评单，超时预警 / the four-orders loop and overdue alerts"),
    ),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        openapi.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new(
            "bearer",
            Vec::<String>::new(),
        )]);
    }
}

/// The API routes and their OpenAPI description.
fn api_router() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    use api::accounts::{auth, users};
    use api::charity::supermarket;
    use api::kernel::audit;
    use api::people::{self, imports};
    use api::service::{events, orders};
    use api::volunteering::{activities, calendar, certificates, points, volunteers};
    use api::{lists, map};
    let (router, doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(auth::logout))
        .routes(routes!(auth::me))
        .routes(routes!(auth::change_password))
        .routes(routes!(auth::create_token, auth::tokens))
        .routes(routes!(auth::revoke_token))
        .routes(routes!(users::create, users::list))
        .routes(routes!(users::get))
        .routes(routes!(users::set_roles))
        .routes(routes!(users::disable))
        .routes(routes!(users::enable))
        .routes(routes!(users::unlock))
        .routes(routes!(users::reset_password))
        .routes(routes!(map::create, map::list))
        .routes(routes!(map::get, map::rename))
        .routes(routes!(map::children))
        .routes(routes!(map::move_to))
        .routes(routes!(map::archive))
        .routes(routes!(map::restore))
        .routes(routes!(map::history))
        .routes(routes!(map::tags, map::add_tag))
        .routes(routes!(people::create_household, people::list_households))
        .routes(routes!(people::export_households))
        .routes(routes!(
            people::get_household,
            people::update_household,
            people::patch_household
        ))
        .routes(routes!(people::archive_household))
        .routes(routes!(people::restore_household))
        .routes(routes!(people::create_resident, people::list_residents))
        .routes(routes!(people::export_residents))
        .routes(routes!(
            people::get_resident,
            people::update_resident,
            people::patch_resident
        ))
        .routes(routes!(people::move_resident))
        .routes(routes!(people::erase))
        .routes(routes!(people::archive_resident))
        .routes(routes!(people::restore_resident))
        .routes(routes!(people::resident_history))
        .routes(routes!(imports::template))
        .routes(routes!(imports::volunteer_template))
        .routes(routes!(audit::list))
        .routes(routes!(audit::export))
        .routes(routes!(volunteers::create, volunteers::list))
        .routes(routes!(volunteers::apply))
        .routes(routes!(volunteers::export))
        .routes(routes!(volunteers::export_records))
        .routes(routes!(volunteers::mine))
        .routes(routes!(volunteers::get))
        .routes(routes!(volunteers::approve))
        .routes(routes!(volunteers::leave))
        .routes(routes!(volunteers::create_team, volunteers::list_teams))
        .routes(routes!(volunteers::get_team))
        .routes(routes!(volunteers::add_member))
        .routes(routes!(volunteers::remove_member))
        .routes(routes!(activities::create, activities::list))
        .routes(routes!(activities::get))
        .routes(routes!(activities::publish))
        .routes(routes!(activities::complete))
        .routes(routes!(activities::cancel))
        .routes(routes!(activities::sign_up))
        .routes(routes!(activities::check_in))
        .routes(routes!(activities::check_out))
        .routes(routes!(activities::hours))
        .routes(routes!(activities::create_record))
        .routes(routes!(activities::get_record))
        .routes(routes!(activities::reverse))
        .routes(routes!(activities::records_of))
        .routes(routes!(activities::monthly))
        .routes(routes!(activities::team_monthly))
        .routes(routes!(points::summary))
        .routes(routes!(points::set_policy, points::get_policy))
        .routes(routes!(supermarket::redeem))
        .routes(routes!(supermarket::get_redemption))
        .routes(routes!(supermarket::create_item, supermarket::list_items))
        .routes(routes!(supermarket::create_reward))
        .routes(routes!(supermarket::get_item))
        .routes(routes!(supermarket::issue))
        .routes(routes!(supermarket::purchase))
        .routes(routes!(supermarket::stocktake))
        .routes(routes!(supermarket::donate))
        .routes(routes!(supermarket::get_donation))
        .routes(routes!(certificates::issue))
        .routes(routes!(certificates::get))
        .routes(routes!(certificates::of_volunteer))
        .routes(routes!(calendar::community_ics))
        .routes(routes!(calendar::volunteer_ics))
        .routes(routes!(calendar::calendar_link))
        .routes(routes!(orders::place, orders::board))
        .routes(routes!(orders::get))
        .routes(routes!(orders::dispatch))
        .routes(routes!(orders::accept))
        .routes(routes!(orders::decline))
        .routes(routes!(orders::complete))
        .routes(routes!(orders::evaluate))
        .routes(routes!(orders::set_deadlines))
        .routes(routes!(orders::alerts))
        .routes(routes!(events::report, events::list))
        .routes(routes!(events::rates))
        .routes(routes!(events::get))
        .routes(routes!(events::accept))
        .routes(routes!(events::dispatch))
        .routes(routes!(events::resolve))
        .routes(routes!(events::verify))
        .routes(routes!(events::close))
        .routes(routes!(events::escalate))
        .routes(routes!(events::set_deadlines))
        .routes(routes!(events::photo))
        .routes(routes!(events::issue_key))
        .routes(routes!(lists::create_demand, lists::demands))
        .routes(routes!(lists::get_demand))
        .routes(routes!(lists::matches))
        .routes(routes!(lists::create_resource, lists::resources))
        .routes(routes!(lists::get_resource))
        .routes(routes!(lists::resource_matches))
        .routes(routes!(lists::create_project, lists::projects))
        .routes(routes!(lists::get_project))
        .routes(routes!(lists::act_project))
        .routes(routes!(lists::categories, lists::add_category))
        .split_for_parts();
    // Routes with their own body limit or rate limit are added outside the generated router but keep
    // their place in the document.
    let (login, login_doc) = OpenApiRouter::<AppState>::new()
        .routes(routes!(auth::login))
        .split_for_parts();
    let (public, public_doc) = OpenApiRouter::<AppState>::new()
        .routes(routes!(certificates::verify))
        .split_for_parts();
    let (import, import_doc) = OpenApiRouter::<AppState>::new()
        .routes(routes!(imports::residents))
        .routes(routes!(imports::volunteers))
        .split_for_parts();
    let (photo, photo_doc) = OpenApiRouter::<AppState>::new()
        .routes(routes!(events::upload_photo))
        .split_for_parts();
    let mut doc = doc;
    doc.merge(login_doc);
    doc.merge(import_doc);
    doc.merge(photo_doc);
    doc.merge(public_doc);
    problem::document_errors(&mut doc);
    let router = router
        .layer(DefaultBodyLimit::max(1024 * 1024))
        .merge(ops::limit_logins(login))
        .merge(ops::limit_logins(public))
        .merge(import.layer(DefaultBodyLimit::max(
            wushe_app::kernel::sheet::MAX_UPLOAD_BYTES + 64 * 1024,
        )))
        .merge(photo.layer(DefaultBodyLimit::max(
            wushe_app::kernel::photos::MAX_BYTES + 64 * 1024,
        )));
    (router, doc)
}

/// The whole application router.
pub fn router(state: AppState) -> Router {
    let (api, doc) = api_router();
    let docs_ui =
        utoipa_swagger_ui::SwaggerUi::new("/api/docs").url("/api/docs/openapi.json", doc.clone());
    let doc = Arc::new(doc);
    let api = api
        .route(
            "/api/v1/openapi.json",
            get(move || {
                let d = doc.clone();
                async move { axum::Json((*d).clone()) }
            }),
        )
        .fallback(api_not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            idempotency::layer,
        ))
        .layer(axum::middleware::map_response(problem::framework_errors));
    Router::new()
        .merge(api)
        .merge(docs_ui)
        .merge(ui::router(state.clone()))
        .merge(open311::router())
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .merge(ops::limit_logins(
            Router::new().route("/login", post(ui::accounts::auth::login_submit)),
        ))
        .merge(ops::limit_logins(
            Router::new()
                .route(
                    "/public/certificates",
                    get(ui::volunteering::certificates::verify_form),
                )
                .route(
                    "/public/certificates/{number}",
                    get(ui::volunteering::certificates::verify),
                )
                .route("/public/lists/{community_id}", get(ui::lists::public)),
        ))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::GATEWAY_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(axum::middleware::from_fn(cross_site::refuse))
        .layer(tower_http::catch_panic::CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http().make_span_with(ops::make_span))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            ops::edge,
        ))
        .with_state(state)
}

async fn api_not_found() -> Response {
    problem::Problem::new(
        StatusCode::NOT_FOUND,
        "not_found",
        "未找到",
        "没有这个接口",
        "no such route",
    )
    .into_response()
}
