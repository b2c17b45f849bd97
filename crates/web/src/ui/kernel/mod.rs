//! What every feature's pages and routes share.

pub mod audit;
pub mod charts;
pub mod home;
pub mod photo_form;
