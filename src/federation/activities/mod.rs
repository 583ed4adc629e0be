//! Activities copse sends and what it does with those it receives, one file per kind.

pub mod follow;
pub mod ids;
