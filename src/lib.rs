//! shiplight: build heavy, ship light.
//!
//! The pipeline (see DESIGN.md): `dockerfile` parses text into a stage graph, `lint` runs
//! rules over it, `report` renders one [`report::Report`] as text, JSON, SARIF, GitHub
//! workflow commands or markdown. `pipeline` holds the steps that read files and drive the
//! daemon; `action` runs the GitHub Action's modes on them; `commands` holds one function per
//! CLI subcommand.

pub mod action;
pub mod commands;
pub mod dockerfile;
pub mod exit;
pub mod github;
pub mod image;
pub mod lint;
pub mod patch;
pub mod pipeline;
pub mod reference;
pub mod report;
pub mod repository;
pub mod retry;
