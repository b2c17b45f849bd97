//! The workflow kernel's use-case side: every workflow's timeline is written and read the same way (one
//! table, decision 0016), named by its machine, and shown as API.md shapes every timeline.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;
use wushe_domain::kernel::workflow::Named;
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
