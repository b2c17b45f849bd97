//! The project list (项目清单): a project groups demands and resources, is proposed, approved at a joint
//! meeting (联席会议), claimed (认领) by one or several partners or organizations, run, and closed with its
//! results. Lists refresh each quarter; a project keeps its history.

use serde::{Deserialize, Serialize};

use crate::kernel::workflow::{Machine, Named};

/// Where a project is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 已提出.
    Proposed,
    /// 已立项 (approved at a meeting).
    Approved,
    /// 已认领.
    Claimed,
    /// 实施中.
    Running,
    /// 已结项.
    Closed,
    /// 未通过.
    Rejected,
}

/// A step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 立项 (with the meeting that approved it).
    Approve,
    /// 不予立项.
    Reject,
    /// 认领 (one-to-one or one-to-many: more claims may follow).
    Claim,
    /// 开始实施.
    Start,
    /// 结项 (with results).
    Close,
}

impl Status {
    /// Every status.
    pub const ALL: [Status; 6] = [
        Status::Proposed,
        Status::Approved,
        Status::Claimed,
        Status::Running,
        Status::Closed,
        Status::Rejected,
    ];

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Status> {
        crate::kernel::workflow::parse(&Status::ALL, s)
    }
}

impl Named for Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Proposed => "proposed",
            Status::Approved => "approved",
            Status::Claimed => "claimed",
            Status::Running => "running",
            Status::Closed => "closed",
            Status::Rejected => "rejected",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Status::Proposed => "已提出",
            Status::Approved => "已立项",
            Status::Claimed => "已认领",
            Status::Running => "实施中",
            Status::Closed => "已结项",
            Status::Rejected => "未通过",
        }
    }
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 5] = [
        Action::Approve,
        Action::Reject,
        Action::Claim,
        Action::Start,
        Action::Close,
    ];

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Action> {
        crate::kernel::workflow::parse(&Action::ALL, s)
    }
}

impl Named for Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Claim => "claim",
            Action::Start => "start",
            Action::Close => "close",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Action::Approve => "立项",
            Action::Reject => "不予立项",
            Action::Claim => "认领",
            Action::Start => "开始实施",
            Action::Close => "结项",
        }
    }
}

/// The project's steps, once. Claims may keep coming while it is claimed or running (one-to-many).
pub const MACHINE: Machine<Status, Action> = Machine {
    name: "project",
    object_zh: "项目",
    object_en: "project",
    steps: &[
        (Status::Proposed, Action::Approve, Status::Approved),
        (Status::Proposed, Action::Reject, Status::Rejected),
        (Status::Approved, Action::Claim, Status::Claimed),
        (Status::Claimed, Action::Claim, Status::Claimed),
        (Status::Claimed, Action::Start, Status::Running),
        (Status::Running, Action::Claim, Status::Running),
        (Status::Running, Action::Close, Status::Closed),
    ],
};

/// The quarter a day falls in, as people write it: `2026Q3`.
pub fn quarter_of(day: chrono::NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}Q{}", day.year(), (day.month() - 1) / 3 + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_transition_table_exhaustively() {
        use Action::*;
        use Status::*;
        let allowed: &[(Status, Action, Status)] = &[
            (Proposed, Approve, Approved),
            (Proposed, Reject, Rejected),
            (Approved, Claim, Claimed),
            (Claimed, Claim, Claimed),
            (Claimed, Start, Running),
            (Running, Claim, Running),
            (Running, Close, Closed),
        ];
        for from in Status::ALL {
            for action in Action::ALL {
                let want = allowed
                    .iter()
                    .find(|(f, a, _)| *f == from && *a == action)
                    .map(|(_, _, t)| *t);
                assert_eq!(MACHINE.next(from, action).ok(), want, "{from:?} {action:?}");
            }
        }
        assert_eq!(MACHINE.allowed(Claimed), [Claim, Start]);
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn quarters() {
        let d = |m| chrono::NaiveDate::from_ymd_opt(2026, m, 15).unwrap();
        assert_eq!(quarter_of(d(1)), "2026Q1");
        assert_eq!(quarter_of(d(3)), "2026Q1");
        assert_eq!(quarter_of(d(4)), "2026Q2");
        assert_eq!(quarter_of(d(12)), "2026Q4");
    }
}
