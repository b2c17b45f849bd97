//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 姓名: 1 to 50 characters.
pub const DISPLAY_NAME: Limit = Limit::new("display_name", "姓名", 1, 50);

/// 令牌名称: 1 to 50 characters.
pub const TOKEN_NAME: Limit = Limit::new("name", "令牌名称", 1, 50);
