//! Who is calling, and what part of the place tree each of their permissions covers.

use std::sync::Arc;

use uuid::Uuid;
use wushe_domain::accounts::role::{Permission, Role};
use wushe_store::Scope;

/// One role granted at a place (path `/` = the whole system).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Grant {
    /// The role.
    pub role: Role,
    /// Where it is granted; none for system-wide.
    pub place_id: Option<Uuid>,
    /// That place's path.
    pub path: String,
    /// That place's name.
    pub place_name: Option<String>,
}

/// The logged-in caller of a use case.
#[derive(Debug, Clone)]
pub struct Actor {
    /// User id.
    pub user_id: Uuid,
    /// Login name.
    pub username: String,
    /// Shown name.
    pub display_name: String,
    /// Preferred locale.
    pub locale: String,
    /// Grants, shared: an actor is cloned from the session cache on every request.
    pub grants: Arc<[Grant]>,
    /// Client address, for the audit log.
    pub ip: Option<String>,
    /// The session this request came in on.
    pub session_id: Option<Uuid>,
}

impl Actor {
    /// The scope in which the caller holds `perm`; empty when nowhere.
    pub fn scope(&self, perm: Permission) -> Scope {
        collapse(
            self.grants
                .iter()
                .filter(|g| g.role.allows(perm))
                .map(|g| g.path.as_str()),
        )
    }

    /// Where the caller holds any of `perms` (the union of their scopes).
    pub fn scope_any(&self, perms: &[Permission]) -> Scope {
        collapse(
            self.grants
                .iter()
                .filter(|g| perms.iter().any(|p| g.role.allows(*p)))
                .map(|g| g.path.as_str()),
        )
    }

    /// The subtrees of all the caller's grants, whatever the role (where places are visible to them).
    pub fn reach(&self) -> Scope {
        collapse(self.grants.iter().map(|g| g.path.as_str()))
    }

    /// True when the caller holds `perm` at `path` (through a grant at it or above it).
    pub fn can(&self, perm: Permission, path: &str) -> bool {
        // The same answer as `scope(perm).covers(path)`, without building the scope on every read.
        self.grants
            .iter()
            .any(|g| g.role.allows(perm) && path.starts_with(g.path.as_str()))
    }

    /// Like [`Actor::can`], for things kept at community level (volunteers, teams, activities, the
    /// supermarket): a grant inside the community (a grid steward's grid) counts as well.
    pub fn can_in_community(&self, perm: Permission, community_path: &str) -> bool {
        self.grants.iter().any(|g| {
            g.role.allows(perm)
                && (community_path.starts_with(g.path.as_str())
                    || g.path.starts_with(community_path))
        })
    }

    /// The access rule of community-level objects: invisible (`NotFound`) without `ReadVolunteers` in or
    /// above the community, `Forbidden` without `perm` at it (reading needs nothing more).
    pub fn check_community(&self, perm: Permission, community_path: &str) -> crate::AppResult<()> {
        if !self.can_in_community(Permission::ReadVolunteers, community_path) {
            return Err(crate::AppError::NotFound);
        }
        if perm != Permission::ReadVolunteers && !self.can(perm, community_path) {
            return Err(crate::AppError::Forbidden);
        }
        Ok(())
    }

    /// Like [`Actor::scope`], with every grant below a community widened to that whole community.
    pub fn community_scope(&self, perm: Permission) -> Scope {
        let widened: Vec<String> = self
            .grants
            .iter()
            .filter(|g| g.role.allows(perm))
            .map(|g| community_prefix(&g.path).unwrap_or_else(|| g.path.clone()))
            .collect();
        collapse(widened.iter().map(String::as_str))
    }

    /// The communities the caller has any grant in (for what every member may see, such as published
    /// activities).
    pub fn own_communities(&self) -> Scope {
        let mut out: Vec<String> = self
            .grants
            .iter()
            .filter_map(|g| community_prefix(&g.path))
            .collect();
        out.sort();
        out.dedup();
        Scope::Paths(out)
    }

    /// True when the caller holds `perm` anywhere.
    pub fn has_anywhere(&self, perm: Permission) -> bool {
        self.grants.iter().any(|g| g.role.allows(perm))
    }

    /// What the caller may do somewhere in their area, for the menus and forms a page offers.
    pub fn abilities(&self) -> Abilities {
        let any = |p| self.has_anywhere(p);
        Abilities {
            read_people: any(Permission::ReadPeople),
            write_people: any(Permission::WritePeople),
            export_people: any(Permission::ExportPeople),
            import_people: any(Permission::ImportPeople),
            unmask_pii: any(Permission::UnmaskPii),
            manage_places: any(Permission::ManagePlaces),
            read_volunteers: any(Permission::ReadVolunteers),
            manage_volunteers: any(Permission::ManageVolunteers),
            manage_charity: any(Permission::ManageCharity),
            dispatch_orders: any(Permission::DispatchOrders),
            handle_events: any(Permission::HandleEvents),
            manage_users: any(Permission::ManageUsers),
            read_audit: any(Permission::ReadAudit),
        }
    }

    /// True when the caller has this role somewhere.
    pub fn has_role(&self, role: Role) -> bool {
        self.grants.iter().any(|g| g.role == role)
    }

    /// The actor used for work the system does by itself (seeding, migrations).
    pub fn system() -> Actor {
        Actor {
            user_id: Uuid::nil(),
            username: "system".into(),
            display_name: "系统".into(),
            locale: "zh-CN".into(),
            grants: Arc::from(vec![Grant {
                role: Role::Admin,
                place_id: None,
                path: "/".into(),
                place_name: None,
            }]),
            ip: None,
            session_id: None,
        }
    }

    /// The user id to record as author (none for the system).
    pub fn author(&self) -> Option<Uuid> {
        (!self.user_id.is_nil()).then_some(self.user_id)
    }
}

/// The community a path lies in (district/street/community are its first three segments), if it is at
/// or below a community.
pub fn community_prefix(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    (segs.len() >= 3).then(|| format!("/{}/", segs[..3].join("/")))
}

/// The scope of a set of grant paths: everything when one is `/`, else the paths without those a shorter
/// one already covers, so SQL filters stay small.
fn collapse<'a>(paths: impl Iterator<Item = &'a str>) -> Scope {
    let mut paths: Vec<&str> = paths.collect();
    if paths.contains(&"/") {
        return Scope::All;
    }
    paths.sort();
    let mut out: Vec<String> = Vec::new();
    for p in paths {
        if !out.iter().any(|o| p.starts_with(o.as_str())) {
            out.push(p.to_owned());
        }
    }
    Scope::Paths(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(grants: &[(Role, &str)]) -> Actor {
        Actor {
            grants: grants
                .iter()
                .map(|(r, p)| Grant {
                    role: *r,
                    place_id: None,
                    path: (*p).into(),
                    place_name: None,
                })
                .collect(),
            ..Actor::system()
        }
    }

    #[test]
    fn scope_follows_grants_and_permissions() {
        let a = actor(&[
            (Role::GridSteward, "/d/s/c/g1/"),
            (Role::BuildingHead, "/d/s/c/g2/b/"),
        ]);
        assert_eq!(
            a.scope(Permission::WritePeople),
            Scope::Paths(vec!["/d/s/c/g1/".into()])
        );
        assert_eq!(
            a.scope(Permission::ReadPeople),
            Scope::Paths(vec!["/d/s/c/g1/".into(), "/d/s/c/g2/b/".into()])
        );
        assert!(a.can(Permission::ReadPeople, "/d/s/c/g1/b9/"));
        assert!(!a.can(Permission::ReadPeople, "/d/s/c/g3/"));
        assert_eq!(a.scope(Permission::ManageUsers), Scope::Paths(vec![]));
    }

    #[test]
    fn community_level_reads_widen_grants_below_a_community() {
        let a = actor(&[
            (Role::GridSteward, "/d/s/c/g1/"),
            (Role::BuildingHead, "/d/s/k/g/b/"),
        ]);
        assert!(a.can_in_community(Permission::ReadVolunteers, "/d/s/c/"));
        assert!(!a.can_in_community(Permission::ReadVolunteers, "/d/s/k/"));
        assert!(!a.can_in_community(Permission::ManageVolunteers, "/d/s/c/"));
        assert_eq!(
            a.community_scope(Permission::ReadVolunteers),
            Scope::Paths(vec!["/d/s/c/".into()])
        );
        assert_eq!(
            a.own_communities(),
            Scope::Paths(vec!["/d/s/c/".into(), "/d/s/k/".into()])
        );
        let street = actor(&[(Role::StreetAdmin, "/d/s/")]);
        assert_eq!(
            street.community_scope(Permission::ReadVolunteers),
            Scope::Paths(vec!["/d/s/".into()])
        );
        assert_eq!(street.own_communities(), Scope::Paths(vec![]));
        assert_eq!(community_prefix("/d/s/"), None);
    }

    #[test]
    fn nested_grants_collapse_and_root_is_all() {
        let a = actor(&[
            (Role::CommunityWorker, "/d/s/c/g1/"),
            (Role::CommunityAdmin, "/d/s/c/"),
        ]);
        assert_eq!(
            a.scope(Permission::ReadPeople),
            Scope::Paths(vec!["/d/s/c/".into()])
        );
        assert_eq!(
            actor(&[(Role::Admin, "/")]).scope(Permission::ReadPeople),
            Scope::All
        );
        assert_eq!(
            actor(&[(Role::Auditor, "/")]).scope(Permission::ReadPeople),
            Scope::Paths(vec![])
        );
    }
}

/// What a caller may do somewhere in their area: which menus, lists and create or manage forms a page
/// offers. Decided here from the caller's grants, so that no page recomputes a permission; each write
/// still checks its own at the place it writes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Abilities {
    /// Read households and residents.
    pub read_people: bool,
    /// Register and edit them.
    pub write_people: bool,
    /// Export the register.
    pub export_people: bool,
    /// Import spreadsheets.
    pub import_people: bool,
    /// See ID numbers and phones in full.
    pub unmask_pii: bool,
    /// Keep the map of places.
    pub manage_places: bool,
    /// Read volunteers, teams and hours.
    pub read_volunteers: bool,
    /// Keep volunteers, teams and activities.
    pub manage_volunteers: bool,
    /// Keep the supermarket and the points rule.
    pub manage_charity: bool,
    /// Run a station's dispatch board.
    pub dispatch_orders: bool,
    /// Handle grid events.
    pub handle_events: bool,
    /// Keep user accounts (and lawful erasures).
    pub manage_users: bool,
    /// Read the audit log.
    pub read_audit: bool,
}
