//! The workflow's event payload (`GITHUB_EVENT_PATH`): which commits a pull request compares.

use serde::Deserialize;

/// What a `pull_request` or `pull_request_target` event says about the commits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    /// `pull_request.base.sha`: the base branch's commit the PR is compared against.
    pub base_sha: String,
    pub head_sha: String,
}

#[derive(Deserialize)]
struct Payload {
    pull_request: Option<PullRequestPayload>,
}

#[derive(Deserialize)]
struct PullRequestPayload {
    number: u64,
    base: Commit,
    head: Commit,
}

#[derive(Deserialize)]
struct Commit {
    sha: String,
}

/// The pull request of an event payload; `None` for other events (a push has none).
pub fn pull_request(payload: &str) -> Result<Option<PullRequest>, serde_json::Error> {
    let p: Payload = serde_json::from_str(payload)?;
    Ok(p.pull_request.map(|pr| PullRequest { number: pr.number, base_sha: pr.base.sha, head_sha: pr.head.sha }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pull_request_and_ignores_push() {
        let pr = pull_request(
            r#"{"action":"opened","pull_request":{"number":7,"base":{"sha":"aaa","ref":"main"},"head":{"sha":"bbb"}}}"#,
        )
        .unwrap();
        assert_eq!(pr, Some(PullRequest { number: 7, base_sha: "aaa".into(), head_sha: "bbb".into() }));
        assert_eq!(pull_request(r#"{"ref":"refs/heads/main","after":"ccc"}"#).unwrap(), None);
        assert!(pull_request("not json").is_err());
    }
}
