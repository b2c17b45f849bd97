//! The charity supermarket's stock (慈善超市库存): every movement is a signed entry in a stock ledger, and
//! the stock of an item is the sum of its entries, never below zero.

use serde::{Deserialize, Serialize};

use crate::kernel::refusal::Refusal;

/// Why goods moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Movement {
    /// In: donated by a resident, merchant or company (捐赠入库).
    Donation,
    /// In: bought (采购入库).
    Purchase,
    /// Out: exchanged for points (积分兑换).
    Redemption,
    /// Out: given to a household in hardship, with reason and approver (扶贫帮困).
    Relief,
    /// Either way: a stocktake found a difference (盘点调整).
    Adjustment,
}

impl Movement {
    /// Every movement kind.
    pub const ALL: [Movement; 5] = [
        Movement::Donation,
        Movement::Purchase,
        Movement::Redemption,
        Movement::Relief,
        Movement::Adjustment,
    ];

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Movement::Donation => "donation",
            Movement::Purchase => "purchase",
            Movement::Redemption => "redemption",
            Movement::Relief => "relief",
            Movement::Adjustment => "adjustment",
        }
    }

    /// Reads the stored value.
    pub fn parse(s: &str) -> Option<Movement> {
        Movement::ALL.into_iter().find(|m| m.as_str() == s)
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Movement::Donation => "捐赠入库",
            Movement::Purchase => "采购入库",
            Movement::Redemption => "积分兑换",
            Movement::Relief => "帮困发放",
            Movement::Adjustment => "盘点调整",
        }
    }

    /// The sign an entry of this kind must have (0: either, but not zero).
    fn sign(self) -> i64 {
        match self {
            Movement::Donation | Movement::Purchase => 1,
            Movement::Redemption | Movement::Relief => -1,
            Movement::Adjustment => 0,
        }
    }
}

/// Largest quantity in one movement.
pub const MAX_QUANTITY: i64 = 1_000_000;

/// Applies a movement of `quantity` (positive, as the user typed it; for an adjustment, the signed
/// difference) to `stock`, returning the signed entry and the new stock, or refusing.
pub fn apply(stock: i64, movement: Movement, quantity: i64) -> Result<(i64, i64), Refusal> {
    let delta = match movement.sign() {
        0 => quantity,
        s => {
            if quantity <= 0 {
                return Err(bad_quantity());
            }
            s * quantity
        }
    };
    if delta == 0 || delta.abs() > MAX_QUANTITY {
        return Err(bad_quantity());
    }
    let after = stock + delta;
    if after < 0 {
        return Err(Refusal::rule(
            "out_of_stock",
            format!("库存不足：现有{stock}，需要{}", -delta),
            format!("out of stock: {stock} in stock, {} needed", -delta),
        ));
    }
    Ok((delta, after))
}

fn bad_quantity() -> Refusal {
    Refusal::invalid(
        "quantity",
        format!("数量应为1到{MAX_QUANTITY}之间的整数"),
        format!("quantity must be a whole number from 1 to {MAX_QUANTITY}"),
    )
}

/// The adjustment a stocktake records: what was counted minus what the ledger says (zero: nothing to do).
pub fn stocktake_difference(on_record: i64, counted: i64) -> Result<i64, Refusal> {
    if !(0..=MAX_QUANTITY).contains(&counted) {
        return Err(Refusal::invalid(
            "counted",
            "盘点数量应为0到1000000之间的整数",
            "a counted quantity cannot be negative",
        ));
    }
    Ok(counted - on_record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ins_and_outs_have_their_sign() {
        assert_eq!(apply(0, Movement::Donation, 5), Ok((5, 5)));
        assert_eq!(apply(5, Movement::Purchase, 2), Ok((2, 7)));
        assert_eq!(apply(7, Movement::Redemption, 3), Ok((-3, 4)));
        assert_eq!(apply(4, Movement::Relief, 4), Ok((-4, 0)));
        assert_eq!(apply(4, Movement::Adjustment, -1), Ok((-1, 3)));
        assert_eq!(apply(4, Movement::Adjustment, 2), Ok((2, 6)));
    }

    #[test]
    fn stock_never_goes_negative() {
        let e = apply(2, Movement::Relief, 3).unwrap_err();
        assert_eq!(e.code, "out_of_stock");
        assert!(e.zh.contains("库存不足"));
        assert_eq!(
            apply(2, Movement::Adjustment, -3).unwrap_err().code,
            "out_of_stock"
        );
        // Every sequence of accepted movements keeps the stock at or above zero.
        let mut stock = 0;
        let moves = [
            (Movement::Donation, 3),
            (Movement::Redemption, 2),
            (Movement::Relief, 2),
            (Movement::Relief, 1),
            (Movement::Adjustment, -1),
            (Movement::Purchase, 1),
            (Movement::Adjustment, -2),
        ];
        for (m, q) in moves {
            if let Ok((_, after)) = apply(stock, m, q) {
                stock = after;
            }
            assert!(stock >= 0);
        }
        assert_eq!(stock, 1);
    }

    #[test]
    fn quantities_must_be_sensible() {
        for (m, q) in [
            (Movement::Donation, 0),
            (Movement::Donation, -1),
            (Movement::Relief, 0),
            (Movement::Relief, -2),
            (Movement::Adjustment, 0),
            (Movement::Purchase, MAX_QUANTITY + 1),
        ] {
            assert_eq!(
                apply(100, m, q).unwrap_err().code,
                "validation_failed",
                "{m:?} {q}"
            );
        }
    }

    #[test]
    fn stocktake_records_the_difference() {
        assert_eq!(stocktake_difference(10, 8), Ok(-2));
        assert_eq!(stocktake_difference(10, 10), Ok(0));
        assert_eq!(stocktake_difference(10, 12), Ok(2));
        assert!(stocktake_difference(10, -1).is_err());
    }

    #[test]
    fn kinds_round_trip() {
        for m in Movement::ALL {
            assert_eq!(Movement::parse(m.as_str()), Some(m));
            assert!(!m.label_zh().is_empty());
        }
    }
}
