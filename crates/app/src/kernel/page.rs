//! Opaque list cursors and the limit rule shared by every list (default 50, at most 500).

use base64::Engine;
use serde::{de::DeserializeOwned, Serialize};

use crate::kernel::error::{AppError, AppResult};

/// A page of items with the cursor of the next page.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; none at the end.
    pub next_cursor: Option<String>,
}

/// The page size asked for, default 50; outside 1..=500 it is refused, not quietly changed, so a client
/// never takes a shorter page for the whole list.
pub fn limit(requested: Option<i64>) -> AppResult<i64> {
    match requested {
        None => Ok(50),
        Some(n) if (1..=500).contains(&n) => Ok(n),
        Some(_) => Err(AppError::field(
            "limit",
            "每页条数应在1到500之间",
            "limit must be between 1 and 500",
        )),
    }
}

/// Encodes a cursor value.
pub fn encode<T: Serialize>(v: &T) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(serde_json::to_vec(v).expect("cursor serializes"))
}

/// Decodes a cursor, refusing anything that was not made by [`encode`].
pub fn decode<T: DeserializeOwned>(s: Option<&str>) -> AppResult<Option<T>> {
    let Some(s) = s.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let bad = || {
        AppError::field(
            "cursor",
            "翻页参数无效，请从第一页重新开始",
            "invalid cursor; start from the first page",
        )
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(s)
        .map_err(|_| bad())?;
    serde_json::from_slice(&bytes).map(Some).map_err(|_| bad())
}

/// Cuts a fetched list of `limit + 1` rows into a page, building the cursor from the last kept row.
pub fn cut<R, T, C: Serialize>(
    mut rows: Vec<R>,
    limit: i64,
    cursor_of: impl Fn(&R) -> C,
    map: impl FnMut(R) -> T,
) -> Page<T> {
    let more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode(&cursor_of(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(map).collect(),
        next_cursor,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_outside_the_range_are_refused() {
        assert_eq!(limit(None).unwrap(), 50);
        assert_eq!(limit(Some(1)).unwrap(), 1);
        assert_eq!(limit(Some(500)).unwrap(), 500);
        for bad in [0, -1, 501, 9999, i64::MAX] {
            match limit(Some(bad)) {
                Err(AppError::Validation(v)) => assert_eq!(v[0].field, "limit"),
                other => panic!("{bad}: {other:?}"),
            }
        }
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let c = encode(&("/a/".to_string(), 5));
        assert_eq!(
            decode::<(String, i32)>(Some(&c)).unwrap(),
            Some(("/a/".to_string(), 5))
        );
        assert!(decode::<(String, i32)>(Some("!!")).is_err());
        assert_eq!(decode::<(String, i32)>(None).unwrap(), None);
    }

    #[test]
    fn cut_sets_cursor_only_when_more_rows_exist() {
        let p = cut(vec![1, 2, 3], 2, |r| *r, |r| r * 10);
        assert_eq!(p.items, vec![10, 20]);
        assert!(p.next_cursor.is_some());
        let p = cut(vec![1, 2], 2, |r| *r, |r| r);
        assert!(p.next_cursor.is_none());
    }
}
