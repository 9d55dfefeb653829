//! The steps that the CLI's subcommands and the Action's modes share: find and load the
//! configuration and the Dockerfiles (`lint`), read the repository's build files into the ship
//! model (`repository`), read the base commit's tree and Dockerfile with git (`git`), build and
//! compare head and base (`compare`), measure an image wherever it is (`sources`, `measure`),
//! write and verify the multi-stage rewrite (`suggest`), review a compared image as the pull
//! request's comment shows it (`review`), and pick the images a change affects (`plan`). This
//! is the layer that reads files and drives the daemon through `image/`; the core it calls
//! (`dockerfile`, `lint`, `patch`, `report`) stays pure.
//!
//! Results are returned as values, and callers decide what the user sees. The one output
//! here is on stderr, while images build: `compare` prints each build step (`[head]`/`[base]`,
//! on a terminal or with `--verbose`), and `review::preview` (`compare --format markdown`)
//! marks where the rewrite's verification starts and ends and says why no rewrite was
//! suggested.

pub mod compare;
pub mod fixes;
pub mod git;
pub mod lint;
pub mod measure;
pub mod plan;
pub mod repository;
pub mod review;
pub mod sources;
pub mod suggest;
