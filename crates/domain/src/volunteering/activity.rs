//! Volunteer activities (志愿活动) through their whole process: plan (`draft`) → publish (`published`) →
//! sign up or be assigned → check in and out → record hours → summary (`completed`); or `cancelled`.
//! The status names are fixed by the public API.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::kernel::refusal::Refusal;
use crate::kernel::workflow::{Machine, Named};

/// Where an activity is in its process.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 策划中: being planned, not visible to volunteers.
    Draft,
    /// 已发布: open for sign-up and running.
    Published,
    /// 已完成: hours recorded and summarised.
    Completed,
    /// 已取消.
    Cancelled,
}

/// A step that changes an activity's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// 发布.
    Publish,
    /// 总结完成.
    Complete,
    /// 取消.
    Cancel,
}

/// The process, once: a draft is published and then completed; either may be cancelled.
pub const MACHINE: Machine<Status, Step> = Machine {
    name: "activity",
    object_zh: "活动",
    object_en: "activity",
    steps: &[
        (Status::Draft, Step::Publish, Status::Published),
        (Status::Published, Step::Complete, Status::Completed),
        (Status::Draft, Step::Cancel, Status::Cancelled),
        (Status::Published, Step::Cancel, Status::Cancelled),
    ],
};

/// The timeline action of an activity's creation (a draft has no step before it).
pub const CREATE: &str = "create";

impl Status {
    /// Every status.
    pub const ALL: [Status; 4] = [
        Status::Draft,
        Status::Published,
        Status::Completed,
        Status::Cancelled,
    ];

    /// Reads the API value.
    pub fn parse(s: &str) -> Option<Status> {
        crate::kernel::workflow::parse(&Status::ALL, s)
    }

    /// The status after `step`, or `invalid_transition` naming the steps allowed instead.
    pub fn after(self, step: Step) -> Result<Status, Refusal> {
        MACHINE.next(self, step)
    }
}

impl Named for Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Published => "published",
            Status::Completed => "completed",
            Status::Cancelled => "cancelled",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Status::Draft => "策划中",
            Status::Published => "已发布",
            Status::Completed => "已完成",
            Status::Cancelled => "已取消",
        }
    }
}

impl Named for Step {
    fn as_str(self) -> &'static str {
        match self {
            Step::Publish => "publish",
            Step::Complete => "complete",
            Step::Cancel => "cancel",
        }
    }

    fn label_zh(self) -> &'static str {
        match self {
            Step::Publish => "发布",
            Step::Complete => "完成",
            Step::Cancel => "取消",
        }
    }
}

fn invalid(zh: String, en: String) -> Refusal {
    Refusal::conflict("invalid_transition", zh, en)
}

/// Check-in opens this long before the start (volunteers arrive early to set up).
pub const CHECKIN_OPENS_BEFORE: Duration = Duration::minutes(60);
/// Arriving later than this after the start is recorded as late.
pub const LATE_AFTER: Duration = Duration::minutes(10);
/// Check-in and check-out close this long after the end.
pub const CLOSES_AFTER: Duration = Duration::hours(6);

/// What is known about an activity when someone signs up.
#[derive(Debug, Clone, Copy)]
pub struct Slot {
    /// Status.
    pub status: Status,
    /// Start.
    pub starts_at: DateTime<Utc>,
    /// End.
    pub ends_at: DateTime<Utc>,
    /// Places.
    pub capacity: i64,
    /// Places already taken.
    pub taken: i64,
}

/// Checks the planned times and capacity of a new or edited activity.
pub fn check_plan(
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    capacity: i64,
) -> Result<(), crate::kernel::error::ValidationErrors> {
    use crate::kernel::error::FieldError;
    let mut errs = crate::kernel::error::ValidationErrors::new();
    if ends_at <= starts_at {
        errs.push(FieldError::new(
            "ends_at",
            "结束时间必须晚于开始时间",
            "the end must be after the start",
        ));
    } else if ends_at - starts_at > Duration::days(7) {
        errs.push(FieldError::new(
            "ends_at",
            "一次活动不能超过7天",
            "an activity cannot last more than 7 days",
        ));
    }
    if !(1..=10_000).contains(&capacity) {
        errs.push(FieldError::new(
            "capacity",
            "招募人数应在1到10000之间",
            "capacity must be between 1 and 10000",
        ));
    }
    errs.into_result(())
}

/// Whether a volunteer may sign up (or be assigned) now; `clash` names another activity they are
/// already in at an overlapping time.
pub fn check_signup(slot: Slot, now: DateTime<Utc>, clash: Option<&str>) -> Result<(), Refusal> {
    match slot.status {
        Status::Published => {}
        Status::Draft => {
            return Err(invalid(
                "活动尚未发布，不能报名".into(),
                "the activity is not published yet".into(),
            ))
        }
        s => {
            return Err(invalid(
                format!("活动{}，不能报名", s.label_zh()),
                format!("the activity is {}", s.as_str()),
            ))
        }
    }
    if now >= slot.ends_at {
        return Err(Refusal::rule(
            "activity_over",
            "活动已结束，不能报名",
            "the activity is over",
        ));
    }
    if slot.taken >= slot.capacity {
        return Err(Refusal::rule(
            "activity_full",
            format!("活动名额已满（{}人）", slot.capacity),
            format!("the activity is full ({} places)", slot.capacity),
        ));
    }
    if let Some(other) = clash {
        return Err(Refusal::rule(
            "time_clash",
            format!("时间冲突：已报名同一时段的活动“{other}”"),
            format!("time clash with “{other}”, which this volunteer has already joined"),
        ));
    }
    Ok(())
}

/// True when two time ranges overlap (touching ends do not).
pub fn overlaps(a: (DateTime<Utc>, DateTime<Utc>), b: (DateTime<Utc>, DateTime<Utc>)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Checks a check-in at `now`; returns whether it is late.
pub fn check_in(
    status: Status,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    already_in: bool,
    now: DateTime<Utc>,
) -> Result<bool, Refusal> {
    if status != Status::Published {
        return Err(invalid(
            format!("活动{}，不能签到", status.label_zh()),
            format!("cannot check in to a {} activity", status.as_str()),
        ));
    }
    if already_in {
        return Err(invalid("已经签到过了".into(), "already checked in".into()));
    }
    if now < starts_at - CHECKIN_OPENS_BEFORE {
        return Err(Refusal::rule(
            "checkin_not_open",
            "签到尚未开始（活动开始前1小时开放）",
            "check-in opens one hour before the start",
        ));
    }
    if now > ends_at + CLOSES_AFTER {
        return Err(Refusal::rule(
            "checkin_closed",
            "签到已截止",
            "check-in has closed",
        ));
    }
    Ok(now > starts_at + LATE_AFTER)
}

/// Checks a check-out at `now` and returns the minutes served: from the later of check-in and the start
/// to the earlier of now and the end (time spent before the start or after the end is not service).
pub fn check_out(
    status: Status,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    checked_in_at: Option<DateTime<Utc>>,
    already_out: bool,
    now: DateTime<Utc>,
) -> Result<i64, Refusal> {
    if status != Status::Published {
        return Err(invalid(
            format!("活动{}，不能签退", status.label_zh()),
            format!("cannot check out of a {} activity", status.as_str()),
        ));
    }
    let Some(inn) = checked_in_at else {
        return Err(invalid(
            "尚未签到，不能签退".into(),
            "cannot check out before checking in".into(),
        ));
    };
    if already_out {
        return Err(invalid("已经签退过了".into(), "already checked out".into()));
    }
    if now < inn {
        return Err(invalid(
            "签退时间早于签到时间".into(),
            "check-out is before check-in".into(),
        ));
    }
    let from = inn.max(starts_at);
    let to = now.min(ends_at);
    Ok((to - from).num_minutes().max(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, m, 0).unwrap()
    }

    fn slot(status: Status, taken: i64) -> Slot {
        Slot {
            status,
            starts_at: t(2, 0),
            ends_at: t(4, 0),
            capacity: 2,
            taken,
        }
    }

    #[test]
    fn every_transition_is_decided() {
        use Status::*;
        let steps = [Step::Publish, Step::Complete, Step::Cancel];
        let allowed = [
            (Draft, Step::Publish, Published),
            (Published, Step::Complete, Completed),
            (Draft, Step::Cancel, Cancelled),
            (Published, Step::Cancel, Cancelled),
        ];
        for s in Status::ALL {
            for step in steps {
                let want = allowed
                    .iter()
                    .find(|(f, st, _)| *f == s && *st == step)
                    .map(|x| x.2);
                match (s.after(step), want) {
                    (Ok(got), Some(w)) => assert_eq!(got, w),
                    (Err(e), None) => {
                        assert_eq!(e.code, "invalid_transition");
                        assert_eq!(e.kind, crate::kernel::refusal::RefusalKind::Conflict);
                    }
                    (got, w) => panic!("{s:?} {step:?}: {got:?} vs {w:?}"),
                }
            }
        }
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }

    #[test]
    fn signup_refusals() {
        assert!(check_signup(slot(Status::Published, 0), t(1, 0), None).is_ok());
        assert_eq!(
            check_signup(slot(Status::Published, 2), t(1, 0), None)
                .unwrap_err()
                .code,
            "activity_full"
        );
        assert_eq!(
            check_signup(slot(Status::Published, 0), t(4, 0), None)
                .unwrap_err()
                .code,
            "activity_over"
        );
        assert_eq!(
            check_signup(slot(Status::Draft, 0), t(1, 0), None)
                .unwrap_err()
                .code,
            "invalid_transition"
        );
        assert_eq!(
            check_signup(slot(Status::Completed, 0), t(1, 0), None)
                .unwrap_err()
                .code,
            "invalid_transition"
        );
        let e = check_signup(slot(Status::Published, 0), t(1, 0), Some("敬老探访")).unwrap_err();
        assert_eq!(e.code, "time_clash");
        assert!(e.zh.contains("敬老探访"));
        // Joining a running activity is allowed until it ends.
        assert!(check_signup(slot(Status::Published, 1), t(3, 59), None).is_ok());
    }

    #[test]
    fn overlap_is_strict() {
        assert!(overlaps((t(1, 0), t(2, 0)), (t(1, 30), t(3, 0))));
        assert!(!overlaps((t(1, 0), t(2, 0)), (t(2, 0), t(3, 0))));
        assert!(overlaps((t(1, 0), t(5, 0)), (t(2, 0), t(3, 0))));
    }

    #[test]
    fn check_in_window_and_lateness() {
        let ci = |now, already| check_in(Status::Published, t(2, 0), t(4, 0), already, now);
        assert_eq!(ci(t(0, 59), false).unwrap_err().code, "checkin_not_open");
        assert_eq!(ci(t(1, 0), false), Ok(false));
        assert_eq!(ci(t(2, 10), false), Ok(false));
        assert_eq!(ci(t(2, 11), false), Ok(true));
        assert_eq!(ci(t(10, 0), false), Ok(true));
        assert_eq!(ci(t(10, 1), false).unwrap_err().code, "checkin_closed");
        assert_eq!(ci(t(2, 0), true).unwrap_err().code, "invalid_transition");
        assert_eq!(
            check_in(Status::Draft, t(2, 0), t(4, 0), false, t(2, 0))
                .unwrap_err()
                .code,
            "invalid_transition"
        );
    }

    #[test]
    fn check_out_counts_only_the_activity_span() {
        let co = |inn, now| check_out(Status::Published, t(2, 0), t(4, 0), inn, false, now);
        assert_eq!(co(Some(t(1, 30)), t(4, 30)), Ok(120));
        assert_eq!(co(Some(t(2, 30)), t(3, 0)), Ok(30));
        assert_eq!(co(Some(t(1, 0)), t(1, 30)), Ok(0));
        assert_eq!(co(None, t(3, 0)).unwrap_err().code, "invalid_transition");
        let e = co(Some(t(3, 0)), t(2, 59)).unwrap_err();
        assert!(e.zh.contains("早于签到"));
        assert_eq!(
            check_out(
                Status::Published,
                t(2, 0),
                t(4, 0),
                Some(t(2, 0)),
                true,
                t(3, 0)
            )
            .unwrap_err()
            .code,
            "invalid_transition"
        );
    }

    #[test]
    fn plans_need_an_order_and_room() {
        assert!(check_plan(t(2, 0), t(4, 0), 10).is_ok());
        let e = check_plan(t(4, 0), t(2, 0), 0).unwrap_err();
        let f: Vec<_> = e.0.iter().map(|x| x.field.as_str()).collect();
        assert_eq!(f, ["ends_at", "capacity"]);
        assert!(check_plan(t(2, 0), t(2, 0) + Duration::days(8), 1).is_err());
    }
}
