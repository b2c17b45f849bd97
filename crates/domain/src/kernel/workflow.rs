//! The workflow kernel's rules: each workflow (orders, grid events, activities, projects, and the ones to
//! come) declares its name and its allowed (from, action, to) steps once, and everything else (the check,
//! the allowed actions named in a refusal, the actions a caller is offered, the timeline's `workflow`
//! value) is read from that declaration.

use crate::kernel::refusal::Refusal;

/// A status or an action with an API name and a Chinese label.
pub trait Named: Copy + PartialEq + 'static {
    /// The fixed API value.
    fn as_str(self) -> &'static str;
    /// The Chinese label.
    fn label_zh(self) -> &'static str;
}

/// One workflow: its name, its name for messages and its steps.
#[derive(Debug)]
pub struct Machine<S: 'static, A: 'static> {
    /// The workflow's stored name (`order`, `event`, `activity`, `project`): the timeline's `workflow`
    /// and an overdue flag's `object_type`.
    pub name: &'static str,
    /// What the workflow is about, in Chinese (工单) and English (order), for messages.
    pub object_zh: &'static str,
    /// The same in English.
    pub object_en: &'static str,
    /// Every allowed step: (from, action, to).
    pub steps: &'static [(S, A, S)],
}

impl<S: Named, A: Named> Machine<S, A> {
    /// The status after `action` from `from`, or `invalid_transition` naming what is allowed instead.
    pub fn next(&self, from: S, action: A) -> Result<S, Refusal> {
        self.steps
            .iter()
            .find(|(f, a, _)| *f == from && *a == action)
            .map(|(_, _, to)| *to)
            .ok_or_else(|| self.refuse(from, action))
    }

    /// The actions allowed from `from`, in table order.
    pub fn allowed(&self, from: S) -> Vec<A> {
        let mut out: Vec<A> = Vec::new();
        for (f, a, _) in self.steps {
            if *f == from && !out.contains(a) {
                out.push(*a);
            }
        }
        out
    }

    /// The refusal for `action` from `from`.
    pub fn refuse(&self, from: S, action: A) -> Refusal {
        let allowed = self.allowed(from);
        let zh_allowed: Vec<&str> = allowed.iter().map(|a| a.label_zh()).collect();
        let en_allowed: Vec<&str> = allowed.iter().map(|a| a.as_str()).collect();
        Refusal::transition(
            format!(
                "{}当前为“{}”，不能{}{}",
                self.object_zh,
                from.label_zh(),
                action.label_zh(),
                if zh_allowed.is_empty() {
                    "；已办结，不能再操作".to_owned()
                } else {
                    format!("；可以：{}", zh_allowed.join("、"))
                }
            ),
            format!(
                "the {} is {}; {} is not allowed{}",
                self.object_en,
                from.as_str(),
                action.as_str(),
                if en_allowed.is_empty() {
                    String::new()
                } else {
                    format!(" (allowed: {})", en_allowed.join(", "))
                }
            ),
            en_allowed,
        )
    }
}

/// The API names of some actions or statuses, in order (what an object's `allowed_actions` and
/// `my_actions` hold).
pub fn names<T: Named>(items: impl IntoIterator<Item = T>) -> Vec<String> {
    items.into_iter().map(|x| x.as_str().to_owned()).collect()
}

/// Parses an API value among `all`.
pub fn parse<T: Named>(all: &[T], s: &str) -> Option<T> {
    all.iter().copied().find(|x| x.as_str() == s)
}
