//! Exit codes shared by every subcommand and the Action.

/// Nothing reached the failure threshold.
pub const OK: i32 = 0;
/// A finding reached the failure threshold.
pub const FINDINGS: i32 = 1;
/// Bad usage or configuration.
pub const USAGE: i32 = 2;
/// The environment failed: no daemon, a failed head build, git missing.
pub const ENVIRONMENT: i32 = 3;
