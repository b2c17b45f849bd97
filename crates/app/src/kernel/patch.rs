//! Partial updates: a field left out of the request keeps its stored value, `null` clears a field that
//! may be empty, and a value replaces. No update may drop a stored fact the request did not mention.

use serde::{Deserialize, Deserializer};

/// Reads a field that may be absent (outer `None`), `null` (`Some(None)`) or a value (`Some(Some(v))`).
///
/// Use with `#[serde(default, deserialize_with = "crate::kernel::patch::field")]`: serde's plain `Option`
/// cannot tell absent from `null`, and that difference is the whole point of a patch.
pub fn field<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

/// The stored value after a patch: absent keeps `old`, `null` clears, a value replaces.
pub fn apply<T: Clone>(old: &Option<T>, patch: &Option<Option<T>>) -> Option<T> {
    match patch {
        None => old.clone(),
        Some(v) => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize, Default)]
    struct P {
        #[serde(default, deserialize_with = "field")]
        phone: Option<Option<String>>,
    }

    #[test]
    fn absent_null_and_value_differ() {
        let absent: P = serde_json::from_str("{}").unwrap();
        let null: P = serde_json::from_str(r#"{"phone": null}"#).unwrap();
        let value: P = serde_json::from_str(r#"{"phone": "13800138000"}"#).unwrap();
        let old = Some("1".to_string());
        assert_eq!(apply(&old, &absent.phone), old);
        assert_eq!(apply(&old, &null.phone), None);
        assert_eq!(apply(&old, &value.phone), Some("13800138000".into()));
    }
}
