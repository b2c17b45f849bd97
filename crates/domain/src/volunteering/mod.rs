//! Volunteers, activities, service hours (服务时长), the points bank, and the volunteer sheet layout.

pub mod activity;
pub mod hours;
pub mod limits;
pub mod points;
pub mod sheet;
pub mod volunteer;
