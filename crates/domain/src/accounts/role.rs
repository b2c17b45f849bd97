//! Roles, what each may do, and where each may be granted. A role is granted at a place and
//! covers its subtree; the place check itself lives in the app crate.

use serde::{Deserialize, Serialize};

use crate::map::place::PlaceKind;

/// A role a user holds at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 系统管理员.
    Admin,
    /// 审计员.
    Auditor,
    /// 街道管理员.
    StreetAdmin,
    /// 社区管理员.
    CommunityAdmin,
    /// 社区工作者.
    CommunityWorker,
    /// 网格员.
    GridSteward,
    /// 楼栋长.
    BuildingHead,
    /// 巷长.
    LaneHead,
    /// 社工.
    SocialWorker,
    /// 社会组织.
    SocialOrg,
    /// 志愿者.
    Volunteer,
    /// 共建单位.
    Partner,
    /// 居民.
    Resident,
}

/// Something a role may be allowed to do with people's data, places, users or the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Permission {
    /// See residents and households (masked).
    ReadPeople,
    /// Create and change residents and households.
    WritePeople,
    /// See ID numbers and phones unmasked (each time audited).
    UnmaskPii,
    /// Export residents to a spreadsheet.
    ExportPeople,
    /// Import residents from a spreadsheet.
    ImportPeople,
    /// Create, rename, move and archive places.
    ManagePlaces,
    /// Create users and grant roles.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// See volunteers, teams, activities, hours and points.
    ReadVolunteers,
    /// Register volunteers, run teams and activities, record hours.
    ManageVolunteers,
    /// Set the points policy, keep the supermarket's stock and catalogue, record donations and relief.
    ManageCharity,
    /// Run the dispatch station (站点派单): see the board, dispatch orders, evaluate for the station, set
    /// step deadlines, see overdue alerts.
    DispatchOrders,
    /// Report a grid event (a problem found on patrol or at home).
    ReportEvents,
    /// Handle grid events at their current level: accept, dispatch, verify, close, escalate.
    HandleEvents,
    /// Use the residents' services where granted: place an order for a household there, sign oneself
    /// up as a volunteer. Every role but the auditor's, who changes nothing.
    SelfService,
}

impl Permission {
    /// Every permission.
    pub const ALL: [Permission; 15] = [
        Permission::ReadPeople,
        Permission::WritePeople,
        Permission::UnmaskPii,
        Permission::ExportPeople,
        Permission::ImportPeople,
        Permission::ManagePlaces,
        Permission::ManageUsers,
        Permission::ReadAudit,
        Permission::ReadVolunteers,
        Permission::ManageVolunteers,
        Permission::ManageCharity,
        Permission::DispatchOrders,
        Permission::ReportEvents,
        Permission::HandleEvents,
        Permission::SelfService,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Permission::ReadPeople => "read_people",
            Permission::WritePeople => "write_people",
            Permission::UnmaskPii => "unmask_pii",
            Permission::ExportPeople => "export_people",
            Permission::ImportPeople => "import_people",
            Permission::ManagePlaces => "manage_places",
            Permission::ManageUsers => "manage_users",
            Permission::ReadAudit => "read_audit",
            Permission::ReadVolunteers => "read_volunteers",
            Permission::ManageVolunteers => "manage_volunteers",
            Permission::ManageCharity => "manage_charity",
            Permission::DispatchOrders => "dispatch_orders",
            Permission::ReportEvents => "report_events",
            Permission::HandleEvents => "handle_events",
            Permission::SelfService => "self_service",
        }
    }
}

const MANAGER: &[Permission] = &[
    Permission::ReadPeople,
    Permission::WritePeople,
    Permission::UnmaskPii,
    Permission::ExportPeople,
    Permission::ImportPeople,
    Permission::ManagePlaces,
    Permission::ManageUsers,
    Permission::ReadVolunteers,
    Permission::ManageVolunteers,
    Permission::ManageCharity,
    Permission::DispatchOrders,
    Permission::ReportEvents,
    Permission::HandleEvents,
    Permission::SelfService,
];
const WORKER: &[Permission] = &[
    Permission::ReadPeople,
    Permission::WritePeople,
    Permission::UnmaskPii,
    Permission::ExportPeople,
    Permission::ImportPeople,
    Permission::ReadVolunteers,
    Permission::ManageVolunteers,
    Permission::ManageCharity,
    Permission::DispatchOrders,
    Permission::ReportEvents,
    Permission::HandleEvents,
    Permission::SelfService,
];
// 小事不出网格: the grid steward handles what is found in the grid; what they cannot close goes up.
const STEWARD: &[Permission] = &[
    Permission::ReadPeople,
    Permission::WritePeople,
    Permission::UnmaskPii,
    Permission::ExportPeople,
    Permission::ReadVolunteers,
    Permission::ReportEvents,
    Permission::HandleEvents,
    Permission::SelfService,
];
const READER: &[Permission] = &[
    Permission::ReadPeople,
    Permission::ReportEvents,
    Permission::SelfService,
];
// Residents and volunteers report what they see (a broken road, a dark street light).
const NEIGHBOUR: &[Permission] = &[Permission::ReportEvents, Permission::SelfService];
// Social workers and organizations are the carriers of activities (五社: 社会组织为载体, 社工为支撑): they
// plan and run activities and record hours, but keep no ledger of money or goods.
const SOCIAL_WORKER: &[Permission] = &[
    Permission::ReadPeople,
    Permission::ReadVolunteers,
    Permission::ManageVolunteers,
    Permission::SelfService,
];
const SOCIAL_ORG: &[Permission] = &[
    Permission::ReadVolunteers,
    Permission::ManageVolunteers,
    Permission::SelfService,
];
// A partner unit's staff join as volunteers and may order for a household they are granted at.
const PARTNER: &[Permission] = &[Permission::SelfService];
const AUDIT: &[Permission] = &[Permission::ReadAudit];

const EVERY_KIND: &[PlaceKind] = &PlaceKind::ALL;
const NEIGHBOURHOOD: &[PlaceKind] = &[
    PlaceKind::Community,
    PlaceKind::Grid,
    PlaceKind::Building,
    PlaceKind::Lane,
];

impl Role {
    /// Every role, most powerful first.
    pub const ALL: [Role; 13] = [
        Role::Admin,
        Role::Auditor,
        Role::StreetAdmin,
        Role::CommunityAdmin,
        Role::CommunityWorker,
        Role::GridSteward,
        Role::BuildingHead,
        Role::LaneHead,
        Role::SocialWorker,
        Role::SocialOrg,
        Role::Volunteer,
        Role::Partner,
        Role::Resident,
    ];

    /// The API value, e.g. `grid_steward`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::StreetAdmin => "street_admin",
            Role::CommunityAdmin => "community_admin",
            Role::CommunityWorker => "community_worker",
            Role::GridSteward => "grid_steward",
            Role::BuildingHead => "building_head",
            Role::LaneHead => "lane_head",
            Role::SocialWorker => "social_worker",
            Role::SocialOrg => "social_org",
            Role::Volunteer => "volunteer",
            Role::Partner => "partner",
            Role::Resident => "resident",
        }
    }

    /// Reads the API value or the Chinese label.
    pub fn parse(s: &str) -> Option<Role> {
        let s = crate::kernel::text::code(s);
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s || r.label_zh() == s)
    }

    /// The Chinese label, e.g. 网格员.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Admin => "系统管理员",
            Role::Auditor => "审计员",
            Role::StreetAdmin => "街道管理员",
            Role::CommunityAdmin => "社区管理员",
            Role::CommunityWorker => "社区工作者",
            Role::GridSteward => "网格员",
            Role::BuildingHead => "楼栋长",
            Role::LaneHead => "巷长",
            Role::SocialWorker => "社工",
            Role::SocialOrg => "社会组织",
            Role::Volunteer => "志愿者",
            Role::Partner => "共建单位",
            Role::Resident => "居民",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            Role::Admin => "System administrator",
            Role::Auditor => "Auditor",
            Role::StreetAdmin => "Street administrator",
            Role::CommunityAdmin => "Community administrator",
            Role::CommunityWorker => "Community worker",
            Role::GridSteward => "Grid steward",
            Role::BuildingHead => "Building head",
            Role::LaneHead => "Lane head",
            Role::SocialWorker => "Social worker",
            Role::SocialOrg => "Social organization",
            Role::Volunteer => "Volunteer",
            Role::Partner => "Partner unit",
            Role::Resident => "Resident",
        }
    }

    /// What this role may do inside the subtree where it is granted.
    pub fn permissions(self) -> &'static [Permission] {
        // 等保 level 3 (GB/T 22239-2019: 访问控制 asks for 权限分离 among administrators, and
        // 审计管理 belongs to an audit administrator) separates the system administrator from the
        // auditor: the admin cannot read the log of the admin's own actions, the auditor can do
        // nothing else.
        match self {
            Role::Admin | Role::StreetAdmin | Role::CommunityAdmin => MANAGER,
            Role::Auditor => AUDIT,
            Role::CommunityWorker => WORKER,
            Role::GridSteward => STEWARD,
            Role::BuildingHead | Role::LaneHead => READER,
            Role::SocialWorker => SOCIAL_WORKER,
            Role::SocialOrg => SOCIAL_ORG,
            Role::Volunteer | Role::Resident => NEIGHBOUR,
            Role::Partner => PARTNER,
        }
    }

    /// True if this role has permission `p`.
    pub fn allows(self, p: Permission) -> bool {
        self.permissions().contains(&p)
    }

    /// The kinds of place at which this role may be granted.
    pub fn grantable_at(self) -> &'static [PlaceKind] {
        match self {
            Role::Admin | Role::Auditor => EVERY_KIND,
            Role::StreetAdmin => &[PlaceKind::Street],
            Role::CommunityAdmin
            | Role::CommunityWorker
            | Role::SocialWorker
            | Role::SocialOrg
            | Role::Partner => &[PlaceKind::Community],
            Role::GridSteward => &[PlaceKind::Grid],
            Role::BuildingHead => &[PlaceKind::Building],
            Role::LaneHead => &[PlaceKind::Lane],
            Role::Volunteer | Role::Resident => NEIGHBOURHOOD,
        }
    }
}

/// True if a holder of `granter` may grant `role` (inside its own subtree, checked by the app).
pub fn can_grant(granter: Role, role: Role) -> bool {
    match granter {
        Role::Admin => true,
        // Local admins must not mint system admins or auditors: that would undo the 等保
        // separation of duties from below.
        Role::StreetAdmin | Role::CommunityAdmin => !matches!(role, Role::Admin | Role::Auditor),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission as P;

    fn expected_permissions(r: Role) -> Vec<Permission> {
        match r {
            Role::Admin | Role::StreetAdmin | Role::CommunityAdmin => vec![
                P::ReadPeople,
                P::WritePeople,
                P::UnmaskPii,
                P::ExportPeople,
                P::ImportPeople,
                P::ManagePlaces,
                P::ManageUsers,
                P::ReadVolunteers,
                P::ManageVolunteers,
                P::ManageCharity,
                P::DispatchOrders,
                P::ReportEvents,
                P::HandleEvents,
                P::SelfService,
            ],
            Role::Auditor => vec![P::ReadAudit],
            Role::CommunityWorker => vec![
                P::ReadPeople,
                P::WritePeople,
                P::UnmaskPii,
                P::ExportPeople,
                P::ImportPeople,
                P::ReadVolunteers,
                P::ManageVolunteers,
                P::ManageCharity,
                P::DispatchOrders,
                P::ReportEvents,
                P::HandleEvents,
                P::SelfService,
            ],
            Role::GridSteward => vec![
                P::ReadPeople,
                P::WritePeople,
                P::UnmaskPii,
                P::ExportPeople,
                P::ReadVolunteers,
                P::ReportEvents,
                P::HandleEvents,
                P::SelfService,
            ],
            Role::BuildingHead | Role::LaneHead => {
                vec![P::ReadPeople, P::ReportEvents, P::SelfService]
            }
            Role::SocialWorker => vec![
                P::ReadPeople,
                P::ReadVolunteers,
                P::ManageVolunteers,
                P::SelfService,
            ],
            Role::SocialOrg => vec![P::ReadVolunteers, P::ManageVolunteers, P::SelfService],
            Role::Volunteer | Role::Resident => vec![P::ReportEvents, P::SelfService],
            Role::Partner => vec![P::SelfService],
        }
    }

    #[test]
    fn permission_table_is_exact() {
        for r in Role::ALL {
            let expected = expected_permissions(r);
            for p in Permission::ALL {
                assert_eq!(r.allows(p), expected.contains(&p), "{r:?} {p:?}");
            }
            assert_eq!(r.permissions().len(), expected.len(), "{r:?}");
        }
    }

    #[test]
    fn only_the_auditor_reads_the_audit_log() {
        let readers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.allows(P::ReadAudit))
            .collect();
        assert_eq!(readers, vec![Role::Auditor]);
    }

    #[test]
    fn grantable_at_table_is_exact() {
        use PlaceKind::*;
        let community_only: &[PlaceKind] = &[Community];
        for r in Role::ALL {
            let expected: &[PlaceKind] = match r {
                Role::Admin | Role::Auditor => &PlaceKind::ALL,
                Role::StreetAdmin => &[Street],
                Role::CommunityAdmin
                | Role::CommunityWorker
                | Role::SocialWorker
                | Role::SocialOrg
                | Role::Partner => community_only,
                Role::GridSteward => &[Grid],
                Role::BuildingHead => &[Building],
                Role::LaneHead => &[Lane],
                Role::Volunteer | Role::Resident => &[Community, Grid, Building, Lane],
            };
            for k in PlaceKind::ALL {
                assert_eq!(
                    r.grantable_at().contains(&k),
                    expected.contains(&k),
                    "{r:?} {k:?}"
                );
            }
        }
    }

    #[test]
    fn can_grant_table_is_exact() {
        for granter in Role::ALL {
            for role in Role::ALL {
                let expected = match granter {
                    Role::Admin => true,
                    Role::StreetAdmin | Role::CommunityAdmin => {
                        role != Role::Admin && role != Role::Auditor
                    }
                    _ => false,
                };
                assert_eq!(can_grant(granter, role), expected, "{granter:?} {role:?}");
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(Role::parse(r.label_zh()), Some(r));
        }
        assert_eq!(Role::parse("网格员"), Some(Role::GridSteward));
        assert_eq!(Role::parse("superuser"), None);
        assert_eq!(Role::StreetAdmin.as_str(), "street_admin");
        assert_eq!(Role::Partner.label_zh(), "共建单位");
        let names: std::collections::HashSet<&str> =
            Permission::ALL.into_iter().map(P::as_str).collect();
        assert_eq!(names.len(), Permission::ALL.len());
        assert_eq!(P::UnmaskPii.as_str(), "unmask_pii");
    }
}
