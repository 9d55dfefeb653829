//! Why a rewrite was refused, as data: one [`Reason`] per kind of refusal, with a stable
//! code that the JSON output (`reason`), `bench/corpus.sh`'s counts and the docs use, and
//! the words for the user (the line, the construct, what to change to make it possible).
//! Every refusal names its reason where it is made; nothing is guessed from the message.

/// The kinds of refusal. Codes are stable: add new ones, never rename.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// The file does not parse.
    InvalidDockerfile,
    /// One RUN both builds and does other work the runtime needs.
    MixedRun,
    /// What the build produces (the binary, the jar, the install prefix) is not known.
    UnknownArtifact,
    /// A compiler is installed but nothing is built with it.
    NoBuildStep,
    /// The base image comes from an ARG, so its runtime variant is unknown.
    VariableBase,
    /// The runtime has no shell for what still runs there.
    NoShell,
    /// Nothing is built: a lighter base alone is the fix (SL103).
    NothingBuilt,
    /// The stage that ships is built FROM another stage.
    InheritedStage,
    /// An install writes into the system prefix, which cannot be copied alone.
    SystemPrefix,
    /// The split would still ship a toolchain.
    StillShips,
    /// The base's language version cannot be read off its tag.
    UnknownRuntime,
    /// No rewriter knows this kind of Dockerfile.
    UnsupportedEcosystem,
    /// A compose, bake or workflow line cannot be edited as shiplight writes it.
    Retarget,
    /// A template the user supplied failed to render.
    Template,
    /// shiplight's own edits failed (a bug to report).
    Internal,
}

impl Reason {
    /// Every reason, in code order (the docs list them from here).
    pub const ALL: &'static [Reason] = &[
        Reason::InvalidDockerfile,
        Reason::MixedRun,
        Reason::UnknownArtifact,
        Reason::NoBuildStep,
        Reason::VariableBase,
        Reason::NoShell,
        Reason::NothingBuilt,
        Reason::InheritedStage,
        Reason::SystemPrefix,
        Reason::StillShips,
        Reason::UnknownRuntime,
        Reason::UnsupportedEcosystem,
        Reason::Retarget,
        Reason::Template,
        Reason::Internal,
    ];

    /// The stable code (`mixed-run`).
    pub fn code(self) -> &'static str {
        match self {
            Reason::InvalidDockerfile => "invalid-dockerfile",
            Reason::MixedRun => "mixed-run",
            Reason::UnknownArtifact => "unknown-artifact",
            Reason::NoBuildStep => "no-build-step",
            Reason::VariableBase => "variable-base",
            Reason::NoShell => "no-shell",
            Reason::NothingBuilt => "nothing-built",
            Reason::InheritedStage => "inherited-stage",
            Reason::SystemPrefix => "system-prefix",
            Reason::StillShips => "still-ships",
            Reason::UnknownRuntime => "unknown-runtime",
            Reason::UnsupportedEcosystem => "unsupported-ecosystem",
            Reason::Retarget => "retarget",
            Reason::Template => "template",
            Reason::Internal => "internal",
        }
    }
}

impl std::fmt::Display for Reason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A refusal: its reason and the words for the user. It reads as its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub reason: Reason,
    pub message: String,
}

impl std::ops::Deref for Refusal {
    type Target = str;
    fn deref(&self) -> &str {
        &self.message
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::Reason;

    /// Codes are unique and kebab-case: they are data other tools count.
    #[test]
    fn codes_are_unique_and_stable_in_form() {
        let mut codes: Vec<&str> = Reason::ALL.iter().map(|r| r.code()).collect();
        assert!(codes.iter().all(|c| c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '-')));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Reason::ALL.len());
    }
}
