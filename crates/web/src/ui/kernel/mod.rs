//! What every feature's pages and routes share.

pub mod charts;
