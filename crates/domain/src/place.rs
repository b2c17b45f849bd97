//! The place hierarchy 区 → 街道 → 社区 → 网格 → 楼栋/街巷, and the materialized path that lets a
//! role granted at one place cover its whole subtree with a single prefix match in SQL.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::FieldError;

/// The level of a place in the hierarchy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// 区, the root.
    District,
    /// 街道.
    Street,
    /// 社区.
    Community,
    /// 网格.
    Grid,
    /// 楼栋, holds households.
    Building,
    /// 街巷, holds households in old estates without numbered buildings.
    Lane,
}

impl PlaceKind {
    /// Every kind, from the root down.
    pub const ALL: [PlaceKind; 6] = [
        PlaceKind::District,
        PlaceKind::Street,
        PlaceKind::Community,
        PlaceKind::Grid,
        PlaceKind::Building,
        PlaceKind::Lane,
    ];

    /// The API value, e.g. `community`.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::District => "district",
            PlaceKind::Street => "street",
            PlaceKind::Community => "community",
            PlaceKind::Grid => "grid",
            PlaceKind::Building => "building",
            PlaceKind::Lane => "lane",
        }
    }

    /// Reads the API value or the Chinese label.
    pub fn parse(s: &str) -> Option<PlaceKind> {
        let s = crate::text::clean(s);
        PlaceKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s || k.label_zh() == s)
    }

    /// The Chinese label, e.g. 社区.
    pub fn label_zh(self) -> &'static str {
        match self {
            PlaceKind::District => "区",
            PlaceKind::Street => "街道",
            PlaceKind::Community => "社区",
            PlaceKind::Grid => "网格",
            PlaceKind::Building => "楼栋",
            PlaceKind::Lane => "街巷",
        }
    }

    /// The English label.
    pub fn label_en(self) -> &'static str {
        match self {
            PlaceKind::District => "district",
            PlaceKind::Street => "street",
            PlaceKind::Community => "community",
            PlaceKind::Grid => "grid",
            PlaceKind::Building => "building",
            PlaceKind::Lane => "lane",
        }
    }

    /// The kinds a place of this kind may hang under; empty for the root.
    pub fn parent_kinds(self) -> &'static [PlaceKind] {
        match self {
            PlaceKind::District => &[],
            PlaceKind::Street => &[PlaceKind::District],
            PlaceKind::Community => &[PlaceKind::Street],
            PlaceKind::Grid => &[PlaceKind::Community],
            PlaceKind::Building | PlaceKind::Lane => &[PlaceKind::Grid],
        }
    }

    /// True for the kinds whose places hold households (a building or a lane).
    pub fn holds_households(self) -> bool {
        matches!(self, PlaceKind::Building | PlaceKind::Lane)
    }
}

/// Checks that a place of `kind` may have a parent of kind `parent` (`None`: no parent).
pub fn check_parent(kind: PlaceKind, parent: Option<PlaceKind>) -> Result<(), FieldError> {
    let allowed = kind.parent_kinds();
    match parent {
        None if allowed.is_empty() => Ok(()),
        Some(_) if allowed.is_empty() => Err(FieldError::new(
            "parent_id",
            format!("{}不能有上级", kind.label_zh()),
            format!("a {} cannot have a parent", kind.label_en()),
        )),
        Some(p) if allowed.contains(&p) => Ok(()),
        _ => {
            let zh: Vec<&str> = allowed.iter().map(|k| k.label_zh()).collect();
            let en: Vec<&str> = allowed.iter().map(|k| k.label_en()).collect();
            Err(FieldError::new(
                "parent_id",
                format!("{}的上级必须是{}", kind.label_zh(), zh.join("或")),
                format!(
                    "a {}'s parent must be a {}",
                    kind.label_en(),
                    en.join(" or a ")
                ),
            ))
        }
    }
}

/// A materialized path `/<root id>/<child id>/.../<own id>/`, ids as lowercase hyphenated UUIDs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlacePath(String);

impl PlacePath {
    /// The path of a root place.
    pub fn root(id: Uuid) -> PlacePath {
        PlacePath(format!("/{id}/"))
    }

    /// The path of a child of this place.
    pub fn child(&self, id: Uuid) -> PlacePath {
        PlacePath(format!("{}{id}/", self.0))
    }

    /// Validates the shape and normalises the ids to lowercase; `None` if it is not a path.
    pub fn parse(s: &str) -> Option<PlacePath> {
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        if inner.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        out.push('/');
        for seg in inner.split('/') {
            // Only the hyphenated form: one spelling per id keeps prefix matches exact.
            if seg.len() != 36 {
                return None;
            }
            let id = Uuid::try_parse(seg).ok()?;
            out.push_str(&id.to_string());
            out.push('/');
        }
        Some(PlacePath(out))
    }

    /// The path text, as stored and matched with `LIKE '<path>%'`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn segments(&self) -> impl Iterator<Item = &str> {
        self.0.split('/').filter(|s| !s.is_empty())
    }

    /// The ids from the root down to this place.
    pub fn ids(&self) -> Vec<Uuid> {
        self.segments()
            .filter_map(|s| Uuid::try_parse(s).ok())
            .collect()
    }

    /// The number of places on the path; 1 for a root.
    pub fn depth(&self) -> usize {
        self.segments().count()
    }

    /// True when this place is `ancestor` or lies in its subtree.
    pub fn is_within(&self, ancestor: &PlacePath) -> bool {
        // Both paths end with '/', so a text prefix is always a prefix by whole segments.
        self.0.starts_with(&ancestor.0)
    }

    /// The parent's path; `None` for a root.
    pub fn parent(&self) -> Option<PlacePath> {
        let without_last_slash = &self.0[..self.0.len() - 1];
        let cut = without_last_slash.rfind('/')?;
        if cut == 0 {
            None
        } else {
            Some(PlacePath(self.0[..=cut].to_string()))
        }
    }

    /// The id of the place itself.
    pub fn last_id(&self) -> Uuid {
        self.segments()
            .last()
            .and_then(|s| Uuid::try_parse(s).ok())
            .expect("a PlacePath holds at least one valid id")
    }

    /// Moves this path from under `old_prefix` to under `new_prefix`; `None` if not within it.
    ///
    /// Used when a building moves with its subtree; refusing a move into its own subtree is
    /// the caller's job, since only it knows which node moves.
    pub fn rebase(&self, old_prefix: &PlacePath, new_prefix: &PlacePath) -> Option<PlacePath> {
        let suffix = self.0.strip_prefix(&old_prefix.0)?;
        Some(PlacePath(format!("{}{suffix}", new_prefix.0)))
    }
}

impl std::fmt::Display for PlacePath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PlacePath {
    type Error = String;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        PlacePath::parse(&s).ok_or_else(|| format!("invalid place path: {s}"))
    }
}

impl From<PlacePath> for String {
    fn from(p: PlacePath) -> String {
        p.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Uuid {
        Uuid::from_u128(n)
    }

    #[test]
    fn kinds_parse_from_both_spellings() {
        for k in PlaceKind::ALL {
            assert_eq!(PlaceKind::parse(k.as_str()), Some(k));
            assert_eq!(PlaceKind::parse(k.label_zh()), Some(k));
        }
        assert_eq!(PlaceKind::parse("网格"), Some(PlaceKind::Grid));
        assert_eq!(PlaceKind::parse("街巷"), Some(PlaceKind::Lane));
        assert_eq!(PlaceKind::parse("城市"), None);
        assert_eq!(PlaceKind::parse("Grid"), None);
    }

    #[test]
    fn hierarchy_table() {
        use PlaceKind::*;
        assert_eq!(District.parent_kinds(), &[] as &[PlaceKind]);
        assert_eq!(Street.parent_kinds(), &[District]);
        assert_eq!(Community.parent_kinds(), &[Street]);
        assert_eq!(Grid.parent_kinds(), &[Community]);
        assert_eq!(Building.parent_kinds(), &[Grid]);
        assert_eq!(Lane.parent_kinds(), &[Grid]);
        let holders: Vec<_> = PlaceKind::ALL
            .into_iter()
            .filter(|k| k.holds_households())
            .collect();
        assert_eq!(holders, vec![Building, Lane]);
    }

    #[test]
    fn check_parent_every_pair() {
        for kind in PlaceKind::ALL {
            assert_eq!(
                check_parent(kind, None).is_ok(),
                kind == PlaceKind::District
            );
            for parent in PlaceKind::ALL {
                let ok = kind.parent_kinds().contains(&parent);
                assert_eq!(
                    check_parent(kind, Some(parent)).is_ok(),
                    ok,
                    "{kind:?} {parent:?}"
                );
            }
        }
    }

    #[test]
    fn check_parent_messages() {
        let e = check_parent(PlaceKind::Community, Some(PlaceKind::Grid)).unwrap_err();
        assert_eq!(e.field, "parent_id");
        assert_eq!(e.message, "社区的上级必须是街道");
        assert_eq!(e.message_en, "a community's parent must be a street");
        let e = check_parent(PlaceKind::District, Some(PlaceKind::Street)).unwrap_err();
        assert_eq!(e.message, "区不能有上级");
        assert_eq!(e.message_en, "a district cannot have a parent");
        let e = check_parent(PlaceKind::Lane, None).unwrap_err();
        assert_eq!(e.message, "街巷的上级必须是网格");
    }

    #[test]
    fn path_building_and_navigation() {
        let root = PlacePath::root(id(1));
        let street = root.child(id(2));
        let community = street.child(id(3));
        assert_eq!(
            community.as_str(),
            "/00000000-0000-0000-0000-000000000001/00000000-0000-0000-0000-000000000002/\
             00000000-0000-0000-0000-000000000003/"
        );
        assert_eq!(community.ids(), vec![id(1), id(2), id(3)]);
        assert_eq!(community.depth(), 3);
        assert_eq!(root.depth(), 1);
        assert_eq!(community.last_id(), id(3));
        assert_eq!(community.parent(), Some(street.clone()));
        assert_eq!(street.parent(), Some(root.clone()));
        assert_eq!(root.parent(), None);
        assert!(community.is_within(&root));
        assert!(community.is_within(&community));
        assert!(!root.is_within(&community));
        assert_eq!(community.to_string(), community.as_str());
    }

    #[test]
    fn parse_validates_shape() {
        let p = PlacePath::root(id(10)).child(id(11));
        assert_eq!(PlacePath::parse(p.as_str()), Some(p.clone()));
        assert_eq!(
            PlacePath::parse(&p.as_str().to_uppercase()),
            Some(p.clone())
        );
        for bad in [
            "",
            "/",
            "//",
            "00000000-0000-0000-0000-000000000001/",
            "/00000000-0000-0000-0000-000000000001",
            "/00000000-0000-0000-0000-000000000001//",
            "/00000000000000000000000000000001/",
            "/d1/s3/",
            "/00000000-0000-0000-0000-00000000000g/",
        ] {
            assert_eq!(PlacePath::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn prefix_is_by_whole_segment() {
        // Two ids that share a textual prefix must not be mistaken for ancestor and child.
        let a = PlacePath::parse("/00000000-0000-0000-0000-000000000001/").unwrap();
        let b = PlacePath::root(id(1)).child(id(2));
        assert!(b.is_within(&a));
        let c = PlacePath::root(id(0x10));
        assert!(!c.is_within(&a));
    }

    #[test]
    fn rebase_moves_a_subtree() {
        let grid_a = PlacePath::root(id(1)).child(id(2));
        let grid_b = PlacePath::root(id(1)).child(id(3));
        let building = grid_a.child(id(4));
        let moved = building.rebase(&grid_a, &grid_b).unwrap();
        assert_eq!(moved, grid_b.child(id(4)));
        assert_eq!(grid_b.rebase(&grid_a, &grid_b), None);
    }

    #[test]
    fn serde_round_trip_validates() {
        let p = PlacePath::root(id(7));
        let s: String = p.clone().into();
        assert_eq!(PlacePath::try_from(s), Ok(p));
        assert!(PlacePath::try_from("/x/".to_string()).is_err());
    }
}
