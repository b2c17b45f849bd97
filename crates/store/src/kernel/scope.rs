//! Place-subtree scoping in SQL: a role granted at a place covers every row whose path starts with it.

use sqlx::{Database, QueryBuilder};

/// The part of the place tree a caller may see, as materialized-path prefixes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Everything (system administrators).
    All,
    /// Rows whose path starts with one of these prefixes (each ends with `/`). Empty means nothing.
    Paths(Vec<String>),
}

/// The smallest string greater than every string that starts with `prefix` (which ends with `/`).
///
/// `/` is followed by `0` in byte order, so `[prefix, upper)` is exactly the subtree; PostgreSQL compares
/// paths under the C collation (see the migrations) so the same range holds there.
pub fn upper_bound(prefix: &str) -> String {
    let mut s = prefix.trim_end_matches('/').to_owned();
    s.push('0');
    s
}

impl Scope {
    /// True when a row at `path` lies inside this scope.
    pub fn covers(&self, path: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Paths(ps) => ps.iter().any(|p| path.starts_with(p.as_str())),
        }
    }

    /// Narrows this scope to the subtree at `prefix`; empty when the two do not overlap.
    pub fn narrow(&self, prefix: &str) -> Scope {
        match self {
            Scope::All => Scope::Paths(vec![prefix.to_owned()]),
            Scope::Paths(ps) => {
                let mut out = Vec::new();
                for p in ps {
                    if prefix.starts_with(p.as_str()) {
                        out.push(prefix.to_owned());
                    } else if p.starts_with(prefix) {
                        out.push(p.clone());
                    }
                }
                Scope::Paths(out)
            }
        }
    }

    /// Appends ` AND (<col> in scope)` to a query.
    pub fn push_filter<'a, DB>(&self, qb: &mut QueryBuilder<'a, DB>, col: &str)
    where
        DB: Database,
        String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    {
        match self {
            Scope::All => {}
            Scope::Paths(ps) if ps.is_empty() => {
                qb.push(" AND 1 = 0");
            }
            Scope::Paths(ps) => {
                qb.push(" AND (");
                for (i, p) in ps.iter().enumerate() {
                    if i > 0 {
                        qb.push(" OR ");
                    }
                    qb.push("(").push(col).push(" >= ").push_bind(p.clone());
                    qb.push(" AND ")
                        .push(col)
                        .push(" < ")
                        .push_bind(upper_bound(p))
                        .push(")");
                }
                qb.push(")");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upper_bound_excludes_siblings_and_includes_children() {
        let p = "/a/b/";
        let u = upper_bound(p);
        assert!("/a/b/".as_bytes() < u.as_bytes());
        assert!("/a/b/zzz/".as_bytes() < u.as_bytes());
        assert!("/a/b0/".as_bytes() >= u.as_bytes());
        assert!("/a/c/".as_bytes() > u.as_bytes());
        assert!("/a/b".as_bytes() < p.as_bytes());
    }

    #[test]
    fn narrow_keeps_only_the_overlap() {
        let s = Scope::Paths(vec!["/d/s1/".into(), "/d/s2/c/".into()]);
        assert_eq!(
            s.narrow("/d/s1/c1/"),
            Scope::Paths(vec!["/d/s1/c1/".into()])
        );
        assert_eq!(s.narrow("/d/s2/"), Scope::Paths(vec!["/d/s2/c/".into()]));
        assert_eq!(s.narrow("/d/s3/"), Scope::Paths(vec![]));
        assert_eq!(Scope::All.narrow("/x/"), Scope::Paths(vec!["/x/".into()]));
        assert!(s.covers("/d/s1/c9/g/"));
        assert!(!s.covers("/d/s2/c2/"));
    }
}
