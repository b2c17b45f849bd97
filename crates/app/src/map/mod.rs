//! The map: districts, streets, communities, grids, buildings and lanes, their moves and tags.

pub mod places;
