//! One function per CLI subcommand. This is the layer that touches the file system; the
//! core it calls (`dockerfile`, `lint`, `report`) stays pure.

pub mod action;
pub mod compare;
pub mod lint;
pub mod measure;
pub mod plan;
pub mod rules;
pub mod suggest;

/// Exit codes shared by every subcommand.
pub mod exit {
    /// Nothing reached the failure threshold.
    pub const OK: i32 = 0;
    /// A finding reached the failure threshold.
    pub const FINDINGS: i32 = 1;
    /// Bad usage or configuration.
    pub const USAGE: i32 = 2;
    /// The environment failed: no daemon, a failed head build, git missing.
    pub const ENVIRONMENT: i32 = 3;
}
