//! The place hierarchy 区 → 街道 → 社区 → 网格 → 楼栋/街巷, and the materialized path that lets a
//! role granted at one place cover its whole subtree with a single prefix match in SQL.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::kernel::error::FieldError;

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
        let s = crate::kernel::text::code(s);
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

/// The letters of a path segment: Crockford's base32 in lower case (no i, l, o, u), so a segment never
/// contains `/` and reads unambiguously.
const SEGMENT_ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";

/// Characters in a path segment: 50 bits.
pub const SEGMENT_LEN: usize = 10;

/// The path segment of a place: ten characters drawn from all the bits of its id.
///
/// Five full UUIDs made every path ~186 bytes, stored in every household, resident and search-term row and
/// in their indexes; ten characters make it 56 at most. Two siblings would share a path only if their
/// 50-bit segments collided, which the unique index on `places.path` refuses rather than lets through.
pub fn segment(id: Uuid) -> String {
    let v = id.as_u128();
    // A splitmix64 finaliser over both halves, so that every bit of the id moves every bit of the segment.
    let mut x = (v as u64) ^ ((v >> 64) as u64).rotate_left(29);
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^= x >> 31;
    (0..SEGMENT_LEN)
        .map(|k| SEGMENT_ALPHABET[((x >> (5 * k)) & 31) as usize] as char)
        .collect()
}

/// The bucket a row at `path` is counted in for kept status counts: its grid (the first four segments:
/// district, street, community, grid), or its community or street when it sits above any grid.
pub fn count_bucket(path: &str) -> String {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    format!("/{}/", segs[..segs.len().min(4)].join("/"))
}

/// A materialized path `/<root segment>/<child segment>/.../<own segment>/`.
///
/// Segments are [`segment`]s of the places' ids. Databases made before segments were shortened hold full
/// lowercase hyphenated UUIDs instead; those still parse, and since a child's path is always its parent's
/// stored path plus one segment, prefixes stay exact when the two kinds meet in one path.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlacePath(String);

impl PlacePath {
    /// The path of a root place.
    pub fn root(id: Uuid) -> PlacePath {
        PlacePath(format!("/{}/", segment(id)))
    }

    /// The path of a child of this place.
    pub fn child(&self, id: Uuid) -> PlacePath {
        PlacePath(format!("{}{}/", self.0, segment(id)))
    }

    /// Validates the shape and normalises case; `None` if it is not a path.
    pub fn parse(s: &str) -> Option<PlacePath> {
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        if inner.is_empty() {
            return None;
        }
        let mut out = String::with_capacity(s.len());
        out.push('/');
        for seg in inner.split('/') {
            let seg = seg.to_ascii_lowercase();
            let short =
                seg.len() == SEGMENT_LEN && seg.bytes().all(|b| SEGMENT_ALPHABET.contains(&b));
            // Legacy segments: only the hyphenated form, one spelling per id keeps prefix matches exact.
            let legacy = seg.len() == 36 && Uuid::try_parse(&seg).is_ok();
            if !short && !legacy {
                return None;
            }
            out.push_str(&seg);
            out.push('/');
        }
        Some(PlacePath(out))
    }

    /// The path text, as stored and matched with `LIKE '<path>%'`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The paths from the root down to this place (itself included), to find its ancestors.
    pub fn prefixes(&self) -> Vec<PlacePath> {
        self.0
            .match_indices('/')
            .skip(1)
            .map(|(i, _)| PlacePath(self.0[..=i].to_owned()))
            .collect()
    }

    /// The segments from the root down to this place.
    pub fn segments(&self) -> Vec<&str> {
        self.0.split('/').filter(|s| !s.is_empty()).collect()
    }

    /// The number of places on the path; 1 for a root.
    pub fn depth(&self) -> usize {
        self.segments().len()
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

    /// True when this is the path of the place with this id, as a child of its parent's path.
    pub fn ends_with_place(&self, id: Uuid) -> bool {
        self.0.ends_with(&format!("/{}/", segment(id)))
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

    #[test]
    fn rows_are_counted_in_their_grid_or_the_place_above_it() {
        assert_eq!(count_bucket("/d/s/c/g/b/"), "/d/s/c/g/");
        assert_eq!(count_bucket("/d/s/c/g/b/l/"), "/d/s/c/g/");
        assert_eq!(count_bucket("/d/s/c/g/"), "/d/s/c/g/");
        assert_eq!(count_bucket("/d/s/c/"), "/d/s/c/");
        assert_eq!(count_bucket("/d/"), "/d/");
    }

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
            format!("/{}/{}/{}/", segment(id(1)), segment(id(2)), segment(id(3)))
        );
        assert_eq!(community.as_str().len(), 3 * (SEGMENT_LEN + 1) + 1);
        assert_eq!(
            community.prefixes(),
            vec![root.clone(), street.clone(), community.clone()]
        );
        assert_eq!(community.depth(), 3);
        assert_eq!(root.depth(), 1);
        assert!(community.ends_with_place(id(3)));
        assert!(!community.ends_with_place(id(2)));
        // Neighbouring ids (as UUIDv7s made in one millisecond are) get unrelated segments.
        assert_ne!(segment(id(1))[..4], segment(id(2))[..4]);
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
            "/0123456789a/",
            "/012345678i/",
            "/012345678/",
        ] {
            assert_eq!(PlacePath::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn prefix_is_by_whole_segment() {
        // A legacy (full-UUID) segment and a short one that share leading characters are still unrelated.
        let legacy = PlacePath::parse("/01234567-0000-0000-0000-000000000001/").unwrap();
        let short = PlacePath::parse("/01234567ab/").unwrap();
        assert!(!short.is_within(&legacy) && !legacy.is_within(&short));
        // A child of a legacy path (made before segments were shortened) is within it.
        let child = legacy.child(id(2));
        assert!(child.is_within(&legacy));
        assert_eq!(PlacePath::parse(child.as_str()), Some(child.clone()));
        assert_eq!(child.prefixes(), vec![legacy, child.clone()]);
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
