//! shiplight: build heavy, ship light.
//!
//! The pipeline (see DESIGN.md): `dockerfile` parses text into a stage graph, `lint` runs
//! rules over it, `report` renders one [`report::Report`] as text, JSON, SARIF, GitHub
//! workflow commands or markdown. `commands` holds one function per CLI subcommand: the only
//! layer that reads files.

pub mod commands;
pub mod dockerfile;
pub mod github;
pub mod image;
pub mod lint;
pub mod patch;
pub mod report;
