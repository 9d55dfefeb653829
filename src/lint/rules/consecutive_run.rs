//! ## What it does
//! Flags a RUN that directly follows another RUN with the same options, in the final stage
//! only (hadolint DL3059 fires in every stage).
//!
//! ## Why it matters
//! Each RUN is a layer: files removed by the second stay in the first, and layers add pull
//! overhead. In builder stages separate RUNs help the cache and cost nothing shipped, so
//! shiplight leaves them alone.
//!
//! ## Example
//! ```dockerfile
//! RUN apt-get update
//! RUN apt-get install -y --no-install-recommends curl
//! ```
//!
//! ## Fix
//! Join them with `&&` into one RUN.

use crate::dockerfile::Kind;
use crate::lint::{Ctx, Hit};

pub fn check(ctx: &Ctx, out: &mut Vec<Hit>) {
    for stage in ctx.finals() {
        for pair in stage.instructions.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.kind == Kind::Run && b.kind == Kind::Run && a.flags == b.flags && !sets_machine_env(a) {
                out.push(
                    Hit::on(
                        b,
                        stage,
                        format!("RUN right after the RUN on line {}: each makes a layer in the final image", a.line),
                    )
                    .fix("join them with `&&` into one RUN")
                    .alias("DL3059"),
                );
            }
        }
    }
}

/// Whether a RUN changes the environment only later RUNs see: Windows' `setx /M` and
/// `[Environment]::SetEnvironmentVariable(…, 'Machine')` write the registry, which the next
/// RUN's process reads; joined into one RUN, the change would not be seen.
fn sets_machine_env(ins: &crate::dockerfile::Instruction) -> bool {
    let Some(script) = ins.script() else { return false };
    let parsed = crate::dockerfile::shell::parse(&script);
    parsed
        .commands
        .iter()
        .any(|c| c.program().eq_ignore_ascii_case("setx") || c.program().eq_ignore_ascii_case("setx.exe"))
        || parsed.commands.iter().flat_map(|c| c.words.iter()).any(|w| w.contains("SetEnvironmentVariable"))
}

#[cfg(test)]
mod tests {
    use crate::lint::rules::testing::lines;

    /// `setx /M PATH` takes effect in the next RUN only: they must stay apart.
    #[test]
    fn machine_environment_changes_stay_apart() {
        let win = "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN setx /M PATH \"%PATH%;C:\\\\pwsh\"\nRUN pwsh -c Get-Host\n";
        assert!(lines("SL314", win).is_empty());
    }

    #[test]
    fn flags_consecutive_runs_in_final_stage() {
        assert_eq!(lines("SL314", "FROM a:1\nRUN a\nRUN b\nRUN c\n"), vec![3, 4]);
    }

    #[test]
    fn builders_and_different_mounts_pass() {
        assert!(lines("SL314", "FROM a:1 AS b\nRUN a\nRUN b\nFROM c:1\nCOPY --from=b /x /x\n").is_empty());
        assert!(
            lines("SL314", "FROM a:1\nRUN a\nRUN --mount=type=cache,target=/c b\nRUN a\nENV X=1\nRUN b\n").is_empty()
        );
    }
}
