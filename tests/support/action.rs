//! The action image as the tests build it: the top-level Dockerfile's runtime stage with the
//! static (musl) binary built from this tree, since no registry is reachable for its rust
//! stage here.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::root;

pub const ACTION_IMAGE_NOTE: &str = "built by this test from the top-level Dockerfile's runtime stage";

/// The static binary the action image ships, built from this tree (a no-op when fresh).
pub fn static_binary() -> Option<PathBuf> {
    let target = "x86_64-unknown-linux-musl";
    let out = Command::new(env!("CARGO"))
        .args(["build", "--release", "--locked", "--target", target, "--bin", "shiplight"])
        .current_dir(root())
        .env("CC_x86_64_unknown_linux_musl", "musl-gcc")
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!("{}", String::from_utf8_lossy(&out.stderr));
        return None;
    }
    Some(root().join("target").join(target).join("release/shiplight"))
}

/// The action as a user references it (`shiplight/shiplight@v1`): the real action.yml, and a
/// Dockerfile that is the top-level one's final stage with the binary copied in.
pub fn action_dir(binary: &Path) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(root().join("action.yml"), dir.path().join("action.yml")).unwrap();
    std::fs::copy(binary, dir.path().join("shiplight")).unwrap();
    let top = std::fs::read_to_string(root().join("Dockerfile")).unwrap();
    let last_from = top.rfind("\nFROM ").expect("a multi-stage Dockerfile") + 1;
    let runtime = &top[last_from..];
    assert!(runtime.contains("COPY --from=build /shiplight "), "{runtime}");
    let dockerfile =
        format!("# {ACTION_IMAGE_NOTE}\n{}", runtime.replace("COPY --from=build /shiplight ", "COPY shiplight "));
    std::fs::write(dir.path().join("Dockerfile"), dockerfile).unwrap();
    dir
}
