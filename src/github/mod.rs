//! The GitHub adapter: the runner's environment and event, and the GitHub API (through
//! octocrab). `GITHUB_API_URL` selects the API, so GitHub Enterprise works by it alone.

pub mod comment;
pub mod event;
pub mod outputs;
pub mod tarball;

/// The parts of the Actions environment shiplight reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `owner/name`.
    pub repository: Option<String>,
    /// `https://api.github.com` unless GitHub Enterprise says otherwise.
    pub api_url: String,
    pub token: Option<String>,
    pub event_path: Option<std::path::PathBuf>,
}

impl Env {
    /// Read `GITHUB_REPOSITORY`, `GITHUB_API_URL`, `GITHUB_TOKEN`, `GITHUB_EVENT_PATH`.
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Env {
            repository: var("GITHUB_REPOSITORY"),
            api_url: var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into()),
            token: var("GITHUB_TOKEN"),
            event_path: var("GITHUB_EVENT_PATH").map(Into::into),
        }
    }
}
