//! The GitHub adapter: the runner's environment and event, and the GitHub API (through
//! octocrab). `GITHUB_API_URL` selects the API, so GitHub Enterprise works by it alone.

pub mod comment;
pub mod event;
pub mod outputs;
pub mod pulls;
pub mod review;
pub mod tarball;

/// The parts of the Actions environment shiplight reads (the runner sets them all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `owner/name`.
    pub repository: Option<String>,
    /// `https://api.github.com` unless GitHub Enterprise says otherwise.
    pub api_url: String,
    /// GraphQL: `GITHUB_GRAPHQL_URL`, else beside `api_url`.
    pub graphql_url: String,
    /// Running on an Actions runner (`GITHUB_ACTIONS=true`).
    pub actions: bool,
    /// `https://github.com`, for links.
    pub server_url: String,
    pub token: Option<String>,
    pub event_name: Option<String>,
    pub event_path: Option<std::path::PathBuf>,
    /// The commit the run checked out (a pull request's merge commit).
    pub sha: Option<String>,
    pub run_id: Option<String>,
    /// The checkout (the current directory when unset).
    pub workspace: std::path::PathBuf,
    /// `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`.
    pub output: Option<std::path::PathBuf>,
    pub summary: Option<std::path::PathBuf>,
}

impl Env {
    /// The repository's name without its owner (`image` when unknown).
    pub fn repo_name(&self) -> &str {
        self.repository.as_deref().and_then(|r| r.rsplit('/').next()).filter(|n| !n.is_empty()).unwrap_or("image")
    }

    /// Read `GITHUB_REPOSITORY`, `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL`, `GITHUB_ACTIONS`,
    /// `GITHUB_SERVER_URL`, `GITHUB_TOKEN`,
    /// `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_SHA`, `GITHUB_RUN_ID`,
    /// `GITHUB_WORKSPACE`, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`.
    pub fn from_process() -> Env {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        let api_url = var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
        Env {
            repository: var("GITHUB_REPOSITORY"),
            graphql_url: var("GITHUB_GRAPHQL_URL").unwrap_or_else(|| comment::graphql_url(&api_url)),
            actions: var("GITHUB_ACTIONS").is_some_and(|v| v == "true"),
            api_url,
            server_url: var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            token: var("GITHUB_TOKEN"),
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: var("GITHUB_EVENT_PATH").map(Into::into),
            sha: var("GITHUB_SHA"),
            run_id: var("GITHUB_RUN_ID"),
            workspace: var("GITHUB_WORKSPACE")
                .map(Into::into)
                .or_else(|| std::env::current_dir().ok())
                .unwrap_or_else(|| ".".into()),
            output: var("GITHUB_OUTPUT").map(Into::into),
            summary: var("GITHUB_STEP_SUMMARY").map(Into::into),
        }
    }

    /// Whether `token` is the Actions job token: on a runner, an installation token
    /// (`ghs_`). GitHub App installation tokens share the prefix; they are told apart by
    /// GraphQL `viewer`, and this matters only when GitHub cannot answer that.
    pub fn is_job_token(&self, token: &str) -> bool {
        self.actions && token.starts_with("ghs_")
    }

    /// The event payload's text, when there is one to read.
    pub fn event_text(&self) -> Option<String> {
        std::fs::read_to_string(self.event_path.as_ref()?).ok()
    }
}
