//! shiplight: build heavy, ship light.
//!
//! How a run flows, and which module does each part:
//!
//! ```text
//! Dockerfile text ──► dockerfile/  parse, pragmas, stage graph, shell model      (pure)
//! repo build files ─► repository/  workflows, bake, compose, dev containers →
//!                                  what ships: roles and evidence              (pure)
//!                        ├─► lint/    rules over the graph → Findings            (pure)
//!                        └─► patch/   multi-stage rewrite → a diff or a refusal  (pure)
//! build context ───► image/       the Docker daemon (docker/), registries and
//!                                 layouts (oci/), the measuring pass (measure/),
//!                                 packages, waste, compare                        (I/O)
//!                        │
//!                        ▼
//!                    report/      one Report value → text, JSON, SARIF, markdown  (pure)
//!                        │
//!                        ▼
//!                    github/      event, sticky comment, summary, outputs         (I/O)
//! ```
//!
//! `pipeline/` holds the steps the CLI and the Action share (find the Dockerfiles and the
//! configuration, read the repository's build files into the ship model, read the base commit
//! with git, build and compare, measure an image wherever it is, write and verify the rewrite,
//! plan a monorepo's images); `commands/` has one function per CLI subcommand and `action/` one
//! file per mode of the GitHub Action, and both only orchestrate `pipeline/`. `reference` is
//! the one image-reference parser (Docker's normalisation), used by the Dockerfile model and
//! the registry client; `retry` reads HTTP retry advice for both HTTP adapters; `exit` holds
//! the exit codes. `main.rs` is the CLI's argument parsing only.

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
