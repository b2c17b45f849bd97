//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 迁移原因: 0 to 200 characters.
pub const PLACE_MOVE_NOTE: Limit = Limit::new("note", "迁移原因", 0, 200);

/// 名称: 1 to 50 characters.
pub const PLACE_NAME: Limit = Limit::new("name", "名称", 1, 50);
