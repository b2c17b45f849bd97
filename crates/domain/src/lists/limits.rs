//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 类别名称: 1 to 30 characters.
pub const CATEGORY_NAME: Limit = Limit::new("name", "类别名称", 1, 30);

/// 需求类别: 1 to 30 characters.
pub const DEMAND_CATEGORY: Limit = Limit::new("category", "需求类别", 1, 30);

/// 需求内容: 1 to 1000 characters.
pub const DEMAND_CONTENT: Limit = Limit::new("content", "需求内容", 1, 1000);

/// 服务对象: 0 to 100 characters.
pub const DEMAND_GROUP: Limit = Limit::new("group_text", "服务对象", 0, 100);

/// 项目内容: 0 to 2000 characters.
pub const PROJECT_DESCRIPTION: Limit = Limit::new("description", "项目内容", 0, 2000);

/// 项目名称: 1 to 100 characters.
pub const PROJECT_TITLE: Limit = Limit::new("title", "项目名称", 1, 100);

/// 可服务时间: 0 to 100 characters.
pub const RESOURCE_AVAILABILITY: Limit = Limit::new("availability", "可服务时间", 0, 100);

/// 资源名称: 1 to 100 characters.
pub const RESOURCE_NAME: Limit = Limit::new("name", "资源名称", 1, 100);

/// 提供方: 0 to 100 characters.
pub const RESOURCE_PROVIDER: Limit = Limit::new("provider_name", "提供方", 0, 100);
