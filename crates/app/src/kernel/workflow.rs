//! The workflow kernel's use-case side: every workflow's timeline is written and read the same way (one
//! table, decision 0016), named by its machine, and shown as API.md shapes every timeline; counts per
//! status are kept with every change.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;
use wushe_domain::kernel::workflow::Named;
use wushe_domain::map::place::count_bucket;
use wushe_store::kernel::workflow::StepRow;
use wushe_store::Conn;

use crate::{Actor, AppResult};

/// One step of a timeline, as API.md shapes every timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Step {
    /// Status before (none at creation).
    pub from: Option<String>,
    /// Status after.
    pub to: String,
    /// What was done (`place`, `dispatch`, `publish`, `decline`...).
    pub action: String,
    /// Who.
    pub actor_id: Option<Uuid>,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, or what was said.
    pub note: String,
}

impl From<StepRow> for Step {
    fn from(s: StepRow) -> Step {
        Step {
            from: s.from_status,
            to: s.to_status,
            action: s.action,
            actor_id: s.actor_id,
            at: s.at,
            note: s.note,
        }
    }
}

/// What a step moves: the workflow (its machine's name), the record and its community.
#[derive(Debug, Clone, Copy)]
pub struct Subject {
    /// The machine's name (`order`, `event`, `activity`, `project`).
    pub workflow: &'static str,
    /// The record.
    pub id: Uuid,
    /// Its community.
    pub community_id: Uuid,
}

impl Subject {
    /// The record `id` of community `community_id` in the workflow named `workflow`.
    pub fn new(workflow: &'static str, id: Uuid, community_id: Uuid) -> Subject {
        Subject {
            workflow,
            id,
            community_id,
        }
    }
}

/// One change of status, as the timeline keeps it.
#[derive(Debug, Clone, Copy)]
pub struct Change<'a, S> {
    /// Status before (none at creation).
    pub from: Option<S>,
    /// Status after.
    pub to: S,
    /// The action's API name.
    pub action: &'a str,
    /// Why, or what was said.
    pub note: &'a str,
    /// When.
    pub at: DateTime<Utc>,
}

impl<'a, S> Change<'a, S> {
    /// From `from` to `to` by `action` at `at`, with what was said.
    pub fn new(from: Option<S>, to: S, action: &'a str, note: &'a str, at: DateTime<Utc>) -> Self {
        Change {
            from,
            to,
            action,
            note,
            at,
        }
    }
}

/// Appends a step to the subject's timeline, inside the caller's transaction.
pub async fn record<S: Named>(
    c: &mut Conn<'_>,
    actor: &Actor,
    subject: Subject,
    change: Change<'_, S>,
) -> AppResult<()> {
    wushe_store::kernel::workflow::add_step(
        c,
        &StepRow {
            id: Uuid::now_v7(),
            community_id: subject.community_id,
            workflow: subject.workflow.to_owned(),
            subject_id: subject.id,
            from_status: change.from.map(|s| s.as_str().to_owned()),
            to_status: change.to.as_str().to_owned(),
            action: change.action.to_owned(),
            actor_id: actor.author(),
            at: change.at,
            note: change.note.to_owned(),
        },
    )
    .await?;
    Ok(())
}

/// A record's timeline, oldest first.
pub async fn timeline(c: &mut Conn<'_>, subject: Uuid) -> AppResult<Vec<Step>> {
    Ok(wushe_store::kernel::workflow::timeline(c, subject)
        .await?
        .into_iter()
        .map(Step::from)
        .collect())
}

/// Keeps a workflow's counts per status with a change: one fewer in `from`, one more in `to`.
pub async fn count<S: Named>(
    c: &mut Conn<'_>,
    subject: Subject,
    place_path: &str,
    from: Option<S>,
    to: S,
) -> AppResult<()> {
    if from == Some(to) {
        return Ok(());
    }
    let bucket = count_bucket(place_path);
    if let Some(from) = from {
        wushe_store::kernel::workflow::bump(
            c,
            subject.workflow,
            &bucket,
            subject.community_id,
            from.as_str(),
            -1,
        )
        .await?;
    }
    wushe_store::kernel::workflow::bump(
        c,
        subject.workflow,
        &bucket,
        subject.community_id,
        to.as_str(),
        1,
    )
    .await?;
    Ok(())
}

/// Counts records loaded in bulk: (place path, community, status) of each.
pub async fn count_loaded(
    c: &mut Conn<'_>,
    workflow: &str,
    rows: impl Iterator<Item = (String, Uuid, String)>,
) -> AppResult<()> {
    let mut counts: std::collections::BTreeMap<(String, Uuid, String), i64> = Default::default();
    for (path, community, status) in rows {
        *counts
            .entry((count_bucket(&path), community, status))
            .or_default() += 1;
    }
    for ((bucket, community, status), n) in counts {
        wushe_store::kernel::workflow::bump(c, workflow, &bucket, community, &status, n).await?;
    }
    Ok(())
}

/// Where a workflow's kept counts differ from its records, for `wushe check`: (bucket, status, kept,
/// actual), given how many records are at each place in each status.
pub async fn count_mismatches(
    c: &mut Conn<'_>,
    workflow: &str,
    per_place: Vec<(String, String, i64)>,
) -> AppResult<Vec<(String, String, i64, i64)>> {
    let mut actual: std::collections::BTreeMap<(String, String), i64> = Default::default();
    for (path, status, n) in per_place {
        *actual
            .entry((count_bucket(&path), status.clone()))
            .or_default() += n;
        *actual.entry(("/".into(), status)).or_default() += n;
    }
    let mut out = Vec::new();
    for (bucket, status, kept) in wushe_store::kernel::workflow::kept_rows(c, workflow).await? {
        let a = actual
            .remove(&(bucket.clone(), status.clone()))
            .unwrap_or(0);
        if a != kept {
            out.push((bucket, status, kept, a));
        }
    }
    out.extend(
        actual
            .into_iter()
            .filter(|(_, a)| *a != 0)
            .map(|((bucket, status), a)| (bucket, status, 0, a)),
    );
    Ok(out)
}
