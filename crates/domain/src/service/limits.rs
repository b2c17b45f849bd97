//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 问题描述: 1 to 1000 characters.
pub const EVENT_DESCRIPTION: Limit = Limit::new("description", "问题描述", 1, 1000);

/// 位置描述: 0 to 200 characters.
pub const EVENT_LOCATION: Limit = Limit::new("location_text", "位置描述", 0, 200);

/// 系统名称: 1 to 50 characters.
pub const OPEN311_CLIENT_NAME: Limit = Limit::new("name", "系统名称", 1, 50);

/// 服务类别: 1 to 30 characters.
pub const ORDER_CATEGORY: Limit = Limit::new("category", "服务类别", 1, 30);

/// 需求内容: 1 to 1000 characters.
pub const ORDER_CONTENT: Limit = Limit::new("content", "需求内容", 1, 1000);

/// 说明 of an order's step: 0 to 500 characters.
pub const ORDER_NOTE: Limit = Limit::new("note", "说明", 0, 500);

/// 说明 of an event's step: 0 to 1000 characters.
pub const EVENT_NOTE: Limit = Limit::new("note", "说明", 0, 1000);

/// The longest category a community may name for its step deadlines (the Chinese name is the workflow's).
pub const DEADLINE_CATEGORY_MAX: usize = 30;
