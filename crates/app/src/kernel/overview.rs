//! The home page's counts for the caller's area.

use serde::Serialize;
use wushe_domain::accounts::role::Permission;

use crate::{Actor, App, AppResult};

/// Counts shown on the home page.
#[derive(Debug, Clone, Serialize, Default, utoipa::ToSchema)]
pub struct Overview {
    /// Communities.
    pub communities: i64,
    /// Grids.
    pub grids: i64,
    /// Buildings and lanes.
    pub buildings: i64,
    /// Households.
    pub households: i64,
    /// Residents.
    pub residents: i64,
    /// Residents living alone (独居老人).
    pub living_alone: i64,
    /// Residents on minimum living allowance (低保).
    pub low_income: i64,
    /// Residents with a disability (残疾).
    pub disabled: i64,
}

/// Counts for everything the caller can read.
pub async fn counts(app: &App, actor: &Actor) -> AppResult<Overview> {
    let scope = actor.scope(Permission::ReadPeople);
    if matches!(&scope, wushe_store::Scope::Paths(p) if p.is_empty()) {
        return Ok(Overview::default());
    }
    let mut c = app.db.read().await?;
    let mut conn = c.conn();
    let mut o = Overview::default();
    for (kind, n) in wushe_store::map::places::count_by_kind(&mut conn, &scope).await? {
        match kind.as_str() {
            "community" => o.communities = n,
            "grid" => o.grids = n,
            "building" | "lane" => o.buildings += n,
            _ => {}
        }
    }
    o.households = wushe_store::people::households::count(&mut conn, &scope).await?;
    o.residents = wushe_store::people::residents::count(&mut conn, &scope, None).await?;
    o.living_alone =
        wushe_store::people::residents::count(&mut conn, &scope, Some("独居老人")).await?;
    o.low_income = wushe_store::people::residents::count(&mut conn, &scope, Some("低保")).await?;
    o.disabled = wushe_store::people::residents::count(&mut conn, &scope, Some("残疾")).await?;
    Ok(o)
}
