//! Grid events (网格事件): a problem found on patrol is reported → accepted → dispatched → resolved →
//! verified → closed (发现 → 上报 → 受理 → 派遣 → 处置 → 核查 → 结案); a failed verification sends it back
//! to be handled again. "小事不出网格、大事不出社区": the grid can escalate to the community, the community
//! to the street; escalation keeps the status and moves the event up one place. Status names are fixed by
//! the public API. The 12345 hotline's response, solution and satisfaction rates are computed here.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::refusal::Refusal;
use crate::kernel::workflow::{Machine, Named};
use crate::map::place::PlaceKind;

/// The categories every community's dictionary starts with (API.md); a community adds its own (with
/// codes from the city's 数字城管 catalogue where it uses one) by setting their deadlines.
pub const DEFAULT_CATEGORIES: [&str; 7] = [
    "市容环境",
    "道路破损",
    "设施损坏",
    "安全隐患",
    "噪音扰民",
    "邻里纠纷",
    "其他",
];

/// Where an event is in its loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 已上报.
    Reported,
    /// 已受理.
    Accepted,
    /// 已派遣.
    Dispatched,
    /// 已处置.
    Resolved,
    /// 已核查.
    Verified,
    /// 已结案.
    Closed,
}

/// A step of the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    /// 受理.
    Accept,
    /// 派遣.
    Dispatch,
    /// 处置完毕.
    Resolve,
    /// 核查 (passed or not, see [`verify`]).
    Verify,
    /// 结案.
    Close,
    /// 上报上级 (grid → community → street).
    Escalate,
}

impl Status {
    /// Every status, in loop order.
    pub const ALL: [Status; 6] = [
        Status::Reported,
        Status::Accepted,
        Status::Dispatched,
        Status::Resolved,
        Status::Verified,
        Status::Closed,
    ];

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Status> {
        crate::kernel::workflow::parse(&Status::ALL, s)
    }

    /// Open311's two states: everything before closing is `open`.
    pub fn open311(self) -> &'static str {
        if self == Status::Closed {
            "closed"
        } else {
            "open"
        }
    }
}

impl Named for Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Reported => "reported",
            Status::Accepted => "accepted",
            Status::Dispatched => "dispatched",
            Status::Resolved => "resolved",
            Status::Verified => "verified",
            Status::Closed => "closed",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Status::Reported => "待受理",
            Status::Accepted => "已受理",
            Status::Dispatched => "处置中",
            Status::Resolved => "待核查",
            Status::Verified => "待结案",
            Status::Closed => "已结案",
        }
    }
}

impl Action {
    /// Every action.
    pub const ALL: [Action; 6] = [
        Action::Accept,
        Action::Dispatch,
        Action::Resolve,
        Action::Verify,
        Action::Close,
        Action::Escalate,
    ];

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Action> {
        crate::kernel::workflow::parse(&Action::ALL, s)
    }
}

impl Named for Action {
    fn as_str(self) -> &'static str {
        match self {
            Action::Accept => "accept",
            Action::Dispatch => "dispatch",
            Action::Resolve => "resolve",
            Action::Verify => "verify",
            Action::Close => "close",
            Action::Escalate => "escalate",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Action::Accept => "受理",
            Action::Dispatch => "派遣",
            Action::Resolve => "处置",
            Action::Verify => "核查",
            Action::Close => "结案",
            Action::Escalate => "上报上级",
        }
    }
}

/// How a caller stands to one event; who may take which step follows from it alone.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Standing {
    /// Handles events at the level the event is at now (its grid's steward, or the community once
    /// escalated to it).
    pub handler: bool,
    /// The event was dispatched to them (a user, their volunteer record, or a team they lead).
    pub assignee: bool,
}

impl Standing {
    /// Whether the caller may take `action` (when the event's status allows it at all): the handler
    /// takes every step; the assignee may also report it resolved.
    pub fn may(self, action: Action) -> bool {
        match action {
            Action::Resolve => self.handler || self.assignee,
            _ => self.handler,
        }
    }

    /// The actions the caller may take on an event in `status`, in the table's order.
    pub fn actions(self, status: Status) -> Vec<Action> {
        MACHINE
            .allowed(status)
            .into_iter()
            .filter(|a| self.may(*a))
            .collect()
    }
}

/// The loop, once. A verification that fails is the same step with another outcome (see [`verify`]).
pub const MACHINE: Machine<Status, Action> = Machine {
    name: "event",
    object_zh: "事件",
    object_en: "event",
    steps: &[
        (Status::Reported, Action::Accept, Status::Accepted),
        (Status::Reported, Action::Escalate, Status::Reported),
        (Status::Accepted, Action::Dispatch, Status::Dispatched),
        (Status::Accepted, Action::Escalate, Status::Accepted),
        (Status::Dispatched, Action::Resolve, Status::Resolved),
        (Status::Dispatched, Action::Escalate, Status::Dispatched),
        (Status::Resolved, Action::Verify, Status::Verified),
        (Status::Verified, Action::Close, Status::Closed),
    ],
};

/// The status after a verification: verified when it passed, back to be handled when not.
pub fn verify(from: Status, passed: bool) -> Result<Status, Refusal> {
    MACHINE.next(from, Action::Verify)?;
    Ok(if passed {
        Status::Verified
    } else {
        Status::Dispatched
    })
}

/// Where an escalation from a place of `kind` goes: a grid to its community, a community to its street.
pub fn escalates_to(kind: PlaceKind) -> Result<PlaceKind, Refusal> {
    match kind {
        PlaceKind::Grid => Ok(PlaceKind::Community),
        PlaceKind::Community => Ok(PlaceKind::Street),
        _ => Err(Refusal::rule(
            "cannot_escalate",
            "街道已是最高一级，事件不能再上报",
            "an event at the street cannot be escalated further",
        )),
    }
}

/// How long each step may take, set per category by the community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Reported → accepted, hours.
    pub accept_hours: i64,
    /// Accepted → dispatched.
    pub dispatch_hours: i64,
    /// Dispatched → resolved.
    pub resolve_hours: i64,
    /// Resolved → verified.
    pub verify_hours: i64,
    /// Verified → closed.
    pub close_hours: i64,
}

impl Default for Deadlines {
    /// Accept within 2 hours (a 12345 response), dispatch within 4, handle within 3 days, verify within a
    /// day, close within a day.
    fn default() -> Self {
        Deadlines {
            accept_hours: 2,
            dispatch_hours: 4,
            resolve_hours: 72,
            verify_hours: 24,
            close_hours: 24,
        }
    }
}

impl Deadlines {
    /// Checks the numbers a community sets (1 to 720 hours each).
    pub fn validate(&self) -> Result<(), crate::kernel::error::ValidationErrors> {
        let mut errs = crate::kernel::error::ValidationErrors::new();
        for (field, zh, v) in [
            ("accept_hours", "受理时限", self.accept_hours),
            ("dispatch_hours", "派遣时限", self.dispatch_hours),
            ("resolve_hours", "处置时限", self.resolve_hours),
            ("verify_hours", "核查时限", self.verify_hours),
            ("close_hours", "结案时限", self.close_hours),
        ] {
            if !(1..=720).contains(&v) {
                errs.push(crate::kernel::error::FieldError::new(
                    field,
                    format!("{zh}应在1到720小时之间"),
                    format!("{} must be 1 to 720 hours", field.replace('_', " ")),
                ));
            }
        }
        errs.into_result(())
    }

    /// When the step that starts on entering `status` at `since` is due; none once closed.
    pub fn due(&self, status: Status, since: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let h = match status {
            Status::Reported => self.accept_hours,
            Status::Accepted => self.dispatch_hours,
            Status::Dispatched => self.resolve_hours,
            Status::Resolved => self.verify_hours,
            Status::Verified => self.close_hours,
            Status::Closed => return None,
        };
        Some(since + Duration::hours(h))
    }
}

/// What the rates need to know about one event of the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Outcome {
    /// Accepted, and within its deadline.
    pub responded_in_time: bool,
    /// Closed (the problem was solved and verified).
    pub closed: bool,
    /// The reporter's satisfaction at closing, 1 to 5, if given.
    pub satisfaction: Option<u8>,
}

/// The 12345 figures of a grid and period, as whole per mille (响应率, 解决率, 满意率).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Rates {
    /// Events reported in the period.
    pub reported: i64,
    /// Share accepted in time, per mille (none without events).
    pub response_permille: Option<i64>,
    /// Share closed, per mille.
    pub solution_permille: Option<i64>,
    /// Share of rated events rated 4 or 5 (满意/基本满意), per mille (none without ratings).
    pub satisfaction_permille: Option<i64>,
}

/// The rates of a set of events.
pub fn rates(events: &[Outcome]) -> Rates {
    let n = events.len() as i64;
    let share = |k: i64, of: i64| (of > 0).then(|| (k * 1000 + of / 2) / of);
    let responded = events.iter().filter(|e| e.responded_in_time).count() as i64;
    let closed = events.iter().filter(|e| e.closed).count() as i64;
    let rated: Vec<u8> = events.iter().filter_map(|e| e.satisfaction).collect();
    let satisfied = rated.iter().filter(|s| **s >= 4).count() as i64;
    Rates {
        reported: n,
        response_permille: share(responded, n),
        solution_permille: share(closed, n),
        satisfaction_permille: share(satisfied, rated.len() as i64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_may_take_each_step() {
        for (handler, assignee) in [(false, false), (true, false), (false, true), (true, true)] {
            let s = Standing { handler, assignee };
            for a in Action::ALL {
                let want = handler || (a == Action::Resolve && assignee);
                assert_eq!(s.may(a), want, "{s:?} {a:?}");
            }
        }
        let assignee = Standing {
            assignee: true,
            ..Standing::default()
        };
        assert_eq!(assignee.actions(Status::Dispatched), vec![Action::Resolve]);
        assert_eq!(assignee.actions(Status::Reported), vec![]);
    }

    /// Every (status, action) pair against the loop in API.md.
    #[test]
    fn the_transition_table_exhaustively() {
        use Action::*;
        use Status::*;
        let allowed: &[(Status, Action, Status)] = &[
            (Reported, Accept, Accepted),
            (Reported, Escalate, Reported),
            (Accepted, Dispatch, Dispatched),
            (Accepted, Escalate, Accepted),
            (Dispatched, Resolve, Resolved),
            (Dispatched, Escalate, Dispatched),
            (Resolved, Verify, Verified),
            (Verified, Close, Closed),
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
        assert_eq!(
            verify(Resolved, false),
            Ok(Dispatched),
            "a failed check goes back"
        );
        assert_eq!(verify(Resolved, true), Ok(Verified));
        let r = verify(Dispatched, true).unwrap_err();
        assert_eq!(r.allowed, ["resolve", "escalate"]);
        assert!(MACHINE.allowed(Closed).is_empty());
    }

    #[test]
    fn escalation_goes_up_one_level_and_stops_at_the_street() {
        assert_eq!(escalates_to(PlaceKind::Grid), Ok(PlaceKind::Community));
        assert_eq!(escalates_to(PlaceKind::Community), Ok(PlaceKind::Street));
        assert_eq!(
            escalates_to(PlaceKind::Street).unwrap_err().code,
            "cannot_escalate"
        );
    }

    #[test]
    fn hotline_rates() {
        let e = |r, c, s| Outcome {
            responded_in_time: r,
            closed: c,
            satisfaction: s,
        };
        let got = rates(&[
            e(true, true, Some(5)),
            e(true, true, Some(2)),
            e(false, true, None),
        ]);
        assert_eq!(got.reported, 3);
        assert_eq!(got.response_permille, Some(667));
        assert_eq!(got.solution_permille, Some(1000));
        assert_eq!(got.satisfaction_permille, Some(500));
        assert_eq!(rates(&[]).response_permille, None);
    }

    #[test]
    fn deadlines_per_step() {
        let d = Deadlines::default();
        let t = Utc::now();
        assert_eq!(d.due(Status::Reported, t), Some(t + Duration::hours(2)));
        assert_eq!(d.due(Status::Closed, t), None);
        assert!(Deadlines {
            resolve_hours: 0,
            ..d
        }
        .validate()
        .is_err());
        assert_eq!(Status::Dispatched.open311(), "open");
        assert_eq!(Status::Closed.open311(), "closed");
    }
}
