//! The tree of service categories of a community (需求、资源、工单的服务类别): the built-in top level, and
//! what the community added under it or beside it. Demands, resources and orders take their categories
//! from it, so a community's lists and figures use one vocabulary.

use serde::Serialize;
use serde_json::json;
use uuid::Uuid;
use wushe_domain::accounts::role::Permission;
use wushe_domain::kernel::text::clean;
use wushe_domain::service::order::DEFAULT_CATEGORIES;
use wushe_store::Conn;

use crate::kernel::audit::{self, Entry};
use crate::{Actor, App, AppError, AppResult};

/// One category with the ones under it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Category {
    /// Name.
    pub name: String,
    /// Built in (not added by the community).
    pub built_in: bool,
    /// Categories under it.
    pub children: Vec<String>,
}

/// The community's tree: the built-in categories first, then its own, each with its children.
pub async fn tree_of(c: &mut Conn<'_>, community: Uuid) -> AppResult<Vec<Category>> {
    let mut out: Vec<Category> = DEFAULT_CATEGORIES
        .iter()
        .map(|n| Category {
            name: (*n).to_owned(),
            built_in: true,
            children: vec![],
        })
        .collect();
    let added = wushe_store::lists::categories::of(c, community).await?;
    for (parent, name) in &added {
        if parent.is_empty() {
            out.push(Category {
                name: name.clone(),
                built_in: false,
                children: vec![],
            });
        }
    }
    for (parent, name) in added {
        if let Some(p) = out.iter_mut().find(|c| c.name == parent) {
            p.children.push(name);
        }
    }
    Ok(out)
}

/// Every name in the tree, for checking input.
pub async fn names_of(c: &mut Conn<'_>, community: Uuid) -> AppResult<Vec<String>> {
    Ok(tree_of(c, community)
        .await?
        .into_iter()
        .flat_map(|c| std::iter::once(c.name).chain(c.children))
        .collect())
}

/// Refuses a category that is not in the community's tree, naming the field and listing the top level.
pub async fn check(
    c: &mut Conn<'_>,
    community: Uuid,
    field: &str,
    category: &str,
) -> AppResult<()> {
    if names_of(c, community).await?.iter().any(|n| n == category) {
        return Ok(());
    }
    let top: Vec<String> = tree_of(c, community)
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    Err(AppError::field(
        field,
        &format!(
            "“{category}”不在本社区的服务类别目录中，可选：{}",
            top.join("、")
        ),
        "the category is not in the community's category tree",
    ))
}

/// The tree of a community the caller can see.
pub async fn tree(app: &App, actor: &Actor, community_id: Uuid) -> AppResult<Vec<Category>> {
    let mut c = app.db.read().await?;
    let mut c = c.conn();
    let p = crate::map::places::load_visible(&mut c, actor, community_id).await?;
    if p.kind != "community" {
        return Err(AppError::field(
            "community_id",
            "请选择社区",
            "not a community",
        ));
    }
    tree_of(&mut c, p.id).await
}

/// Adds a category to a community's tree (under `parent`, or at the top when it is empty).
pub async fn add(
    app: &App,
    actor: &Actor,
    community_id: Uuid,
    name: &str,
    parent: &str,
) -> AppResult<Vec<Category>> {
    let name = clean(name);
    let parent = clean(parent);
    let mut errs = wushe_domain::kernel::error::ValidationErrors::new();
    wushe_domain::lists::limits::CATEGORY_NAME.check(&name, &mut errs);
    errs.into_result(())?;
    let mut tx = app.db.begin().await?;
    let mut c = tx.conn();
    let p = crate::map::places::load_visible(&mut c, actor, community_id).await?;
    if p.kind != "community" {
        return Err(AppError::field(
            "community_id",
            "请选择社区",
            "not a community",
        ));
    }
    if !actor.can(Permission::DispatchOrders, &p.path) {
        return Err(AppError::Forbidden);
    }
    let tree = tree_of(&mut c, p.id).await?;
    if !parent.is_empty() && !tree.iter().any(|c| c.name == parent) {
        return Err(AppError::field(
            "parent",
            "上级类别应为目录中的第一级类别",
            "parent must be a top-level category",
        ));
    }
    if names_of(&mut c, p.id).await?.contains(&name) {
        return Err(AppError::conflict(
            "duplicate_category",
            format!("目录中已有“{name}”"),
            "the category already exists",
        ));
    }
    wushe_store::lists::categories::insert(&mut c, p.id, &parent, &name, actor.author(), app.now())
        .await?;
    audit::record(
        &mut c,
        actor,
        Entry {
            action: "category.add",
            object_type: "community",
            object_id: Some(p.id),
            place_path: Some(&p.path),
            community_id: Some(p.id),
            detail: json!({"name": name, "parent": parent}),
        },
    )
    .await?;
    let out = tree_of(&mut c, p.id).await?;
    tx.commit().await?;
    Ok(out)
}
