//! Volunteers, teams, activities, service hours (服务时长), the points bank, certificates and calendars.

pub mod activities;
pub mod calendar;
pub mod certificates;
pub mod export;
pub mod hours;
pub mod import;
pub mod points;
pub mod volunteers;
