//! Who the caller is to the orders and events given to someone: a user, their volunteer record, and the
//! teams that record leads. Read once per request, so a board of a hundred items asks no more.

use uuid::Uuid;
use wushe_store::Conn;

use crate::{Actor, AppResult};

/// The caller as an assignee.
#[derive(Debug, Default)]
pub struct Serving {
    user: Option<Uuid>,
    volunteer: Option<Uuid>,
    teams: Vec<Uuid>,
}

impl Serving {
    /// Reads the caller's volunteer record and the teams it leads.
    pub async fn of(c: &mut Conn<'_>, actor: &Actor) -> AppResult<Serving> {
        let Some(me) = actor.author() else {
            return Ok(Serving::default());
        };
        let Some(v) = wushe_store::volunteering::volunteers::by_user(c, me).await? else {
            return Ok(Serving {
                user: Some(me),
                ..Serving::default()
            });
        };
        Ok(Serving {
            user: Some(me),
            volunteer: Some(v.id),
            teams: wushe_store::volunteering::volunteers::led_by(c, v.id).await?,
        })
    }

    /// Reads it only when `needed` (an assignment the caller's roles do not already cover); else nobody.
    pub async fn when(c: &mut Conn<'_>, actor: &Actor, needed: bool) -> AppResult<Serving> {
        if needed {
            Serving::of(c, actor).await
        } else {
            Ok(Serving::default())
        }
    }

    /// Whether something assigned to (`kind`, `id`) is assigned to the caller: them as a user, their
    /// volunteer record, or a team they lead.
    pub fn is(&self, kind: Option<&str>, id: Option<Uuid>) -> bool {
        match (kind, id) {
            (Some("user"), Some(id)) => self.user == Some(id),
            (Some("volunteer"), Some(id)) => self.volunteer == Some(id),
            (Some(_), Some(id)) => self.teams.contains(&id),
            _ => false,
        }
    }
}
