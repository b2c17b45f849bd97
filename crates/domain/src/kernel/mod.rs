//! Rules every feature shares: typed errors, text as typed and its limits, Asia/Shanghai time, masking, the workflow machine, refusals.

pub mod error;
pub mod limits;
pub mod mask;
pub mod refusal;
pub mod text;
pub mod time;
pub mod workflow;
