//! The four orders (四单机制): a resident places an order (群众点单) → the station dispatches it (站点派单)
//! → a team or volunteer accepts it or declines it back (团队接单) → it is completed → resident, station
//! and team evaluate it together (联合评单) and it closes. The status names are fixed by the public API.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::refusal::Refusal;
use crate::kernel::workflow::{Machine, Named};

/// The categories a community starts with (DOMAIN.md, issue 5); a community may use others.
pub const DEFAULT_CATEGORIES: [&str; 9] = [
    "养老",
    "助残",
    "儿童",
    "医疗健康",
    "法律",
    "环境",
    "文化",
    "就业",
    "其他",
];

/// Where an order is in the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 已点单: waiting for the station.
    Placed,
    /// 已派单: waiting for the team or volunteer to accept.
    Dispatched,
    /// 已接单: being served.
    Accepted,
    /// 已完成: served, waiting for the evaluations.
    Completed,
    /// 已办结.
    Closed,
}

/// A step of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 派单.
    Dispatch,
    /// 接单.
    Accept,
    /// 退单 (with a reason; the order goes back to the station).
    Decline,
    /// 完成.
    Complete,
    /// 评价 (closes the order once all three have evaluated).
    Evaluate,
    /// 办结 (all evaluated, or the evaluation period ran out).
    Close,
}

impl Status {
    /// Every status, in loop order.
    pub const ALL: [Status; 5] = [
        Status::Placed,
        Status::Dispatched,
        Status::Accepted,
        Status::Completed,
        Status::Closed,
    ];

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Status> {
        crate::kernel::workflow::parse(&Status::ALL, s)
    }

    /// Whether the order still waits for someone (everything but closed).
    pub fn is_open(self) -> bool {
        self != Status::Closed
    }
}

impl Named for Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Placed => "placed",
            Status::Dispatched => "dispatched",
            Status::Accepted => "accepted",
            Status::Completed => "completed",
            Status::Closed => "closed",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Status::Placed => "待派单",
            Status::Dispatched => "待接单",
            Status::Accepted => "服务中",
            Status::Completed => "待评价",
            Status::Closed => "已办结",
        }
    }
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 6] = [
        Action::Dispatch,
        Action::Accept,
        Action::Decline,
        Action::Complete,
        Action::Evaluate,
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
            Action::Dispatch => "dispatch",
            Action::Accept => "accept",
            Action::Decline => "decline",
            Action::Complete => "complete",
            Action::Evaluate => "evaluate",
            Action::Close => "close",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Action::Dispatch => "派单",
            Action::Accept => "接单",
            Action::Decline => "退单",
            Action::Complete => "完成",
            Action::Evaluate => "评价",
            Action::Close => "办结",
        }
    }
}

/// The loop, once. Evaluating keeps an order completed; the last of the three evaluations closes it
/// (see [`after_evaluation`]).
pub const MACHINE: Machine<Status, Action> = Machine {
    name: "order",
    object_zh: "工单",
    object_en: "order",
    steps: &[
        (Status::Placed, Action::Dispatch, Status::Dispatched),
        (Status::Dispatched, Action::Accept, Status::Accepted),
        (Status::Dispatched, Action::Decline, Status::Placed),
        (Status::Accepted, Action::Complete, Status::Completed),
        (Status::Completed, Action::Evaluate, Status::Completed),
        (Status::Completed, Action::Close, Status::Closed),
    ],
};

/// How a caller stands to one order; who may take which step follows from it alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Runs the station of the order's community (dispatches, and evaluates as the station).
    pub station: bool,
    /// Placed it (the resident, or a worker on their behalf).
    pub placer: bool,
    /// Serves it: the assigned volunteer, the assigned team's leader, or a carrier running teams there.
    pub server: bool,
}

impl Standing {
    /// Whether the caller may take `action` (when the order's status allows it at all).
    pub fn may(self, action: Action) -> bool {
        match action {
            Action::Dispatch => self.station,
            Action::Accept | Action::Decline | Action::Complete => self.server || self.station,
            Action::Evaluate => Evaluator::ALL.iter().any(|by| self.may_evaluate_as(*by)),
            // An order closes by itself: with the third evaluation, or when the evaluation period ends.
            Action::Close => false,
        }
    }

    /// Whether the caller may give `by`'s evaluation: the resident's is the placer's (or the station's
    /// on their behalf), the team's is whoever serves it.
    pub fn may_evaluate_as(self, by: Evaluator) -> bool {
        match by {
            Evaluator::Resident => self.placer || self.station,
            Evaluator::Station => self.station,
            Evaluator::Team => self.server,
        }
    }

    /// The actions the caller may take on an order in `status`, in the table's order.
    pub fn actions(self, status: Status) -> Vec<Action> {
        MACHINE
            .allowed(status)
            .into_iter()
            .filter(|a| self.may(*a))
            .collect()
    }
}

/// Who evaluates (联合评单).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Evaluator {
    /// The resident served.
    Resident,
    /// The dispatch station.
    Station,
    /// The team or volunteer who served.
    Team,
}

impl Evaluator {
    /// All three.
    pub const ALL: [Evaluator; 3] = [Evaluator::Resident, Evaluator::Station, Evaluator::Team];

    /// Reads the API value (`by`).
    pub fn parse(s: &str) -> Option<Evaluator> {
        crate::kernel::workflow::parse(&Evaluator::ALL, s)
    }
}

impl Named for Evaluator {
    fn as_str(self) -> &'static str {
        match self {
            Evaluator::Resident => "resident",
            Evaluator::Station => "station",
            Evaluator::Team => "team",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Evaluator::Resident => "居民",
            Evaluator::Station => "站点",
            Evaluator::Team => "服务团队",
        }
    }
}

/// Checks one evaluation: a score of 1 to 5, a comment of at most 500 characters, each party once.
pub fn check_evaluation(
    by: Evaluator,
    score: i64,
    comment: &str,
    already: &[Evaluator],
) -> Result<(), Refusal> {
    if !(1..=5).contains(&score) {
        return Err(Refusal::invalid(
            "score",
            "评分应为1到5分",
            "score must be 1 to 5",
        ));
    }
    if comment.chars().count() > 500 {
        return Err(Refusal::invalid(
            "comment",
            "评价内容不能超过500字",
            "the comment is longer than 500 characters",
        ));
    }
    if already.contains(&by) {
        return Err(Refusal::conflict(
            "already_evaluated",
            format!("{}已经评价过这张工单", by.label_zh()),
            format!("the {} has already evaluated this order", by.as_str()),
        ));
    }
    Ok(())
}

/// The status after an evaluation by `by`, given who had evaluated before: closed once all three have.
pub fn after_evaluation(by: Evaluator, before: &[Evaluator]) -> Status {
    let all = Evaluator::ALL
        .iter()
        .all(|e| *e == by || before.contains(e));
    if all {
        Status::Closed
    } else {
        Status::Completed
    }
}

/// How long each step may take before it is overdue, set per category by the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// From placed to dispatched, in hours.
    pub dispatch_hours: i64,
    /// From dispatched to accepted.
    pub accept_hours: i64,
    /// From accepted to completed.
    pub complete_hours: i64,
    /// From completed until the order closes without the missing evaluations, in days.
    pub evaluate_days: i64,
}

impl Default for Deadlines {
    /// A working day to dispatch, half a day to accept, three days to serve, a week to evaluate.
    fn default() -> Self {
        Deadlines {
            dispatch_hours: 24,
            accept_hours: 12,
            complete_hours: 72,
            evaluate_days: 7,
        }
    }
}

impl Deadlines {
    /// Checks the numbers a community sets (1 hour to 30 days per step; 1 to 30 days to evaluate).
    pub fn validate(&self) -> Result<(), crate::kernel::error::ValidationErrors> {
        let mut errs = crate::kernel::error::ValidationErrors::new();
        for (field, zh, v) in [
            ("dispatch_hours", "派单时限", self.dispatch_hours),
            ("accept_hours", "接单时限", self.accept_hours),
            ("complete_hours", "办理时限", self.complete_hours),
        ] {
            if !(1..=720).contains(&v) {
                errs.push(crate::kernel::error::FieldError::new(
                    field,
                    format!("{zh}应在1到720小时之间"),
                    format!("{} must be 1 to 720 hours", field.replace('_', " ")),
                ));
            }
        }
        if !(1..=30).contains(&self.evaluate_days) {
            errs.push(crate::kernel::error::FieldError::new(
                "evaluate_days",
                "评价期限应在1到30天之间",
                "evaluate days must be 1 to 30",
            ));
        }
        errs.into_result(())
    }

    /// When the step that starts on entering `status` at `since` is due; none for a closed order.
    pub fn due(&self, status: Status, since: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let d = match status {
            Status::Placed => Duration::hours(self.dispatch_hours),
            Status::Dispatched => Duration::hours(self.accept_hours),
            Status::Accepted => Duration::hours(self.complete_hours),
            Status::Completed => Duration::days(self.evaluate_days),
            Status::Closed => return None,
        };
        Some(since + d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every standing against every action and evaluator, written out from DOMAIN.md: the station
    /// dispatches, nobody closes by hand, whoever serves (or the station) accepts, declines and completes, and each of
    /// the three parties evaluates as itself (the station may also for the resident).
    #[test]
    fn who_may_take_each_step() {
        for bits in 0..8u8 {
            let s = Standing {
                station: bits & 1 != 0,
                placer: bits & 2 != 0,
                server: bits & 4 != 0,
            };
            for a in Action::ALL {
                let want = match a {
                    Action::Dispatch => s.station,
                    Action::Close => false,
                    Action::Accept | Action::Decline | Action::Complete => s.station || s.server,
                    Action::Evaluate => s.station || s.placer || s.server,
                };
                assert_eq!(s.may(a), want, "{s:?} {a:?}");
            }
            assert_eq!(
                s.may_evaluate_as(Evaluator::Resident),
                s.placer || s.station
            );
            assert_eq!(s.may_evaluate_as(Evaluator::Station), s.station);
            assert_eq!(s.may_evaluate_as(Evaluator::Team), s.server);
        }
        let placer = Standing {
            placer: true,
            ..Standing::default()
        };
        assert_eq!(placer.actions(Status::Placed), vec![]);
        assert_eq!(placer.actions(Status::Completed), vec![Action::Evaluate]);
        let station = Standing {
            station: true,
            ..Standing::default()
        };
        assert_eq!(station.actions(Status::Placed), vec![Action::Dispatch]);
        assert_eq!(station.actions(Status::Completed), vec![Action::Evaluate]);
    }

    /// Every (status, action) pair against the loop as API.md and DOMAIN.md describe it.
    #[test]
    fn the_transition_table_exhaustively() {
        use Action::*;
        use Status::*;
        let expected: &[(Status, Action, Option<Status>)] = &[
            (Placed, Dispatch, Some(Dispatched)),
            (Placed, Accept, None),
            (Placed, Decline, None),
            (Placed, Complete, None),
            (Placed, Evaluate, None),
            (Placed, Close, None),
            (Dispatched, Dispatch, None),
            (Dispatched, Accept, Some(Accepted)),
            (Dispatched, Decline, Some(Placed)),
            (Dispatched, Complete, None),
            (Dispatched, Evaluate, None),
            (Dispatched, Close, None),
            (Accepted, Dispatch, None),
            (Accepted, Accept, None),
            (Accepted, Decline, None),
            (Accepted, Complete, Some(Completed)),
            (Accepted, Evaluate, None),
            (Accepted, Close, None),
            (Completed, Dispatch, None),
            (Completed, Accept, None),
            (Completed, Decline, None),
            (Completed, Complete, None),
            (Completed, Evaluate, Some(Completed)),
            (Completed, Close, Some(Closed)),
            (Closed, Dispatch, None),
            (Closed, Accept, None),
            (Closed, Decline, None),
            (Closed, Complete, None),
            (Closed, Evaluate, None),
            (Closed, Close, None),
        ];
        assert_eq!(expected.len(), Status::ALL.len() * Action::ALL.len());
        for (from, action, to) in expected {
            assert_eq!(
                MACHINE.next(*from, *action).ok(),
                *to,
                "{from:?} {action:?}"
            );
        }
    }

    #[test]
    fn a_refusal_names_the_allowed_actions() {
        let r = MACHINE
            .next(Status::Dispatched, Action::Dispatch)
            .unwrap_err();
        assert_eq!(r.code, "invalid_transition");
        assert_eq!(r.allowed, ["accept", "decline"]);
        assert!(
            r.zh.contains("待接单") && r.zh.contains("接单、退单"),
            "{}",
            r.zh
        );
        let closed = MACHINE.next(Status::Closed, Action::Close).unwrap_err();
        assert!(closed.allowed.is_empty());
        assert!(closed.zh.contains("已办结"));
    }

    #[test]
    fn names_round_trip() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        for e in Evaluator::ALL {
            assert_eq!(Evaluator::parse(e.as_str()), Some(e));
        }
        assert_eq!(Status::parse("cancelled"), None);
    }

    #[test]
    fn three_evaluations_close_an_order() {
        use Evaluator::*;
        assert_eq!(after_evaluation(Resident, &[]), Status::Completed);
        assert_eq!(after_evaluation(Team, &[Resident]), Status::Completed);
        assert_eq!(after_evaluation(Station, &[Resident, Team]), Status::Closed);
        assert!(check_evaluation(Resident, 0, "", &[]).is_err());
        assert!(check_evaluation(Resident, 6, "", &[]).is_err());
        assert_eq!(
            check_evaluation(Resident, 5, "", &[Resident])
                .unwrap_err()
                .code,
            "already_evaluated"
        );
        assert!(check_evaluation(Station, 1, "太慢", &[Resident]).is_ok());
        assert_eq!(
            check_evaluation(Team, 3, &"好".repeat(501), &[])
                .unwrap_err()
                .field,
            Some("comment")
        );
    }

    #[test]
    fn each_step_has_its_deadline() {
        let d = Deadlines::default();
        let t = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(d.due(Status::Placed, t), Some(t + Duration::hours(24)));
        assert_eq!(d.due(Status::Dispatched, t), Some(t + Duration::hours(12)));
        assert_eq!(d.due(Status::Accepted, t), Some(t + Duration::hours(72)));
        assert_eq!(d.due(Status::Completed, t), Some(t + Duration::days(7)));
        assert_eq!(d.due(Status::Closed, t), None);
        assert!(d.validate().is_ok());
        let bad = Deadlines {
            dispatch_hours: 0,
            evaluate_days: 31,
            ..d
        };
        let fields: Vec<String> = bad
            .validate()
            .unwrap_err()
            .0
            .into_iter()
            .map(|f| f.field)
            .collect();
        assert_eq!(fields, ["dispatch_hours", "evaluate_days"]);
    }
}
