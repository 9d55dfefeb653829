//! The steps that the CLI's subcommands and the Action's modes share: find and load the
//! configuration and the Dockerfiles (`lint`), build and compare head and base (`compare`),
//! write and verify the multi-stage rewrite (`suggest`), measure one image (`measure`), and
//! pick the images a change affects (`plan`). This is the layer that reads files and drives
//! the daemon through `image/`; the core it calls (`dockerfile`, `lint`, `patch`, `report`)
//! stays pure. Nothing here prints: callers decide what the user sees.

pub mod compare;
pub mod git;
pub mod lint;
pub mod measure;
pub mod plan;
pub mod repository;
pub mod review;
pub mod sources;
pub mod suggest;
