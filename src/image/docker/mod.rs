//! The Docker daemon: everything shiplight asks of it, and nothing else.
//!
//! - `endpoint`: which daemon, decided as the docker CLI decides it (`DOCKER_HOST`, Docker
//!   contexts, the local socket). Reads the environment and the CLI's files only.
//! - `engine`: [`engine::Engine`], the connection. It is the only holder of the bollard
//!   client: builds, image inspection, history, `docker save` streams, imports, removal, and
//!   the few container operations the checks below need all go through its methods.
//! - `context`: the build context, a tar of a folder that honours `.dockerignore` as Docker
//!   does (pure: no daemon, only the folder).
//! - `smoke`: run an image and record what a user would see (an HTTP answer, a command's
//!   exit code and output).
//! - `needs`: which shared libraries a rewrite's artifacts need at run time, and which
//!   packages provide them, asked of the built images.
//!
//! What the images hold is measured elsewhere (`image/measure/`), from the export stream
//! `engine` hands out, or from the layer folders a helper container reads in place.

pub mod context;
pub mod endpoint;
pub mod engine;
pub mod needs;
pub mod smoke;
