//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 活动内容: 0 to 2000 characters.
pub const ACTIVITY_CONTENT: Limit = Limit::new("content", "活动内容", 0, 2000);

/// 反馈: 0 to 2000 characters.
pub const ACTIVITY_FEEDBACK: Limit = Limit::new("feedback", "反馈", 0, 2000);

/// 活动地点: 1 to 200 characters.
pub const ACTIVITY_PLACE: Limit = Limit::new("place_text", "活动地点", 1, 200);

/// 活动总结: 1 to 5000 characters.
pub const ACTIVITY_SUMMARY: Limit = Limit::new("summary", "活动总结", 1, 5000);

/// 活动名称: 1 to 100 characters.
pub const ACTIVITY_TITLE: Limit = Limit::new("title", "活动名称", 1, 100);

/// 备注: 0 to 100 characters.
pub const MEMBER_NOTE: Limit = Limit::new("note", "备注", 0, 100);

/// 简介: 0 to 500 characters.
pub const TEAM_DESCRIPTION: Limit = Limit::new("description", "简介", 0, 500);

/// 队伍名称: 1 to 50 characters.
pub const TEAM_NAME: Limit = Limit::new("name", "队伍名称", 1, 50);
