//! How long each text a person types in this feature may be (in characters, 字); the app checks
//! them here and the API document states them.

use crate::kernel::text::Limit;

/// 捐赠人: 1 to 100 characters.
pub const DONOR_NAME: Limit = Limit::new("donor_name", "捐赠人", 1, 100);

/// 名称: 1 to 50 characters.
pub const ITEM_NAME: Limit = Limit::new("name", "名称", 1, 50);

/// 单位: 1 to 10 characters.
pub const ITEM_UNIT: Limit = Limit::new("unit", "单位", 1, 10);

/// 供应方: 0 to 100 characters.
pub const PURCHASE_SUPPLIER: Limit = Limit::new("supplier", "供应方", 0, 100);

/// 审批人: 0 to 50 characters.
pub const RELIEF_APPROVER: Limit = Limit::new("approver", "审批人", 0, 50);

/// 发放原因: 1 to 200 characters.
pub const RELIEF_REASON: Limit = Limit::new("reason", "发放原因", 1, 200);

/// 差异原因: 1 to 200 characters.
pub const STOCKTAKE_REASON: Limit = Limit::new("reason", "差异原因", 1, 200);

/// 商家 of goods: 0 to 100 characters.
pub const GOODS_MERCHANT: Limit = Limit::new("merchant", "商家", 0, 100);

/// 商家 of a voucher (where it is spent): 1 to 100 characters.
pub const VOUCHER_MERCHANT: Limit = Limit::new("merchant", "商家", 1, 100);
