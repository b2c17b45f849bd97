//! Generators of data for the demo and the benchmarks, kept out of the use cases: the demo street (or a
//! whole city) with its people, its volunteers' activities and hours, and its service loop, all written
//! through the same use cases a worker uses; and bulk loads at benchmark scale written straight to the
//! store.

pub mod demo;
pub mod service;
pub mod service_load;
pub mod volunteer_load;
pub mod volunteering;
