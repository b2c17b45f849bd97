//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 依据: 1 to 500 characters.
pub const ERASURE_BASIS: Limit = Limit::new("basis", "依据", 1, 500);
