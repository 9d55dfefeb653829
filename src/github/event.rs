//! The workflow's event payload (`GITHUB_EVENT_PATH`): which commits a pull request compares,
//! its labels, whether it comes from a fork, and the run a `workflow_run` event follows.

use serde::Deserialize;

/// What a `pull_request` or `pull_request_target` event says about the commits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    /// `pull_request.base.sha`: the base branch's commit the PR is compared against.
    pub base_sha: String,
    pub head_sha: String,
    /// The labels' names (an approve label turns a size failure into a pass).
    pub labels: Vec<String>,
    /// The head branch lives in another repository (or one since deleted): in a
    /// `pull_request` run the token is read-only.
    pub fork: bool,
}

/// What a `workflow_run` event says about the run it follows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WorkflowRun {
    pub id: u64,
    /// The commit the run built: a pull request's head must still be this to be posted to.
    pub head_sha: String,
    /// The event that triggered that run (`pull_request`).
    pub event: String,
    /// Pull requests GitHub links to the run (empty for a fork's).
    pub pull_requests: Vec<u64>,
    pub html_url: Option<String>,
}

#[derive(Deserialize)]
struct Payload {
    pull_request: Option<PullRequestPayload>,
    workflow_run: Option<WorkflowRunPayload>,
}

#[derive(Deserialize)]
struct PullRequestPayload {
    number: u64,
    base: Commit,
    head: Commit,
    #[serde(default)]
    labels: Vec<Label>,
}

#[derive(Deserialize)]
struct Commit {
    sha: String,
    repo: Option<Repo>,
}

#[derive(Deserialize)]
struct Repo {
    full_name: String,
}

#[derive(Deserialize)]
struct Label {
    name: String,
}

#[derive(Deserialize)]
struct WorkflowRunPayload {
    id: u64,
    head_sha: String,
    #[serde(default)]
    event: String,
    #[serde(default)]
    pull_requests: Vec<Numbered>,
    html_url: Option<String>,
}

#[derive(Deserialize)]
struct Numbered {
    number: u64,
}

/// The pull request of an event payload; `None` for other events (a push has none).
pub fn pull_request(payload: &str) -> Result<Option<PullRequest>, serde_json::Error> {
    let p: Payload = serde_json::from_str(payload)?;
    Ok(p.pull_request.map(|pr| {
        let name = |c: &Commit| c.repo.as_ref().map(|r| r.full_name.to_ascii_lowercase());
        let fork = match (name(&pr.head), name(&pr.base)) {
            (Some(head), Some(base)) => head != base,
            _ => true,
        };
        PullRequest {
            number: pr.number,
            base_sha: pr.base.sha,
            head_sha: pr.head.sha,
            labels: pr.labels.into_iter().map(|l| l.name).collect(),
            fork,
        }
    }))
}

/// The run a `workflow_run` event follows; `None` for other events.
pub fn workflow_run(payload: &str) -> Result<Option<WorkflowRun>, serde_json::Error> {
    let p: Payload = serde_json::from_str(payload)?;
    Ok(p.workflow_run.map(|w| WorkflowRun {
        id: w.id,
        head_sha: w.head_sha,
        event: w.event,
        pull_requests: w.pull_requests.into_iter().map(|n| n.number).collect(),
        html_url: w.html_url,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pull_request_and_ignores_push() {
        let pr = pull_request(
            r#"{"action":"opened","pull_request":{"number":7,"labels":[{"name":"size-ok"}],
                "base":{"sha":"aaa","ref":"main","repo":{"full_name":"o/r"}},
                "head":{"sha":"bbb","repo":{"full_name":"O/R"}}}}"#,
        )
        .unwrap();
        let expected = PullRequest {
            number: 7,
            base_sha: "aaa".into(),
            head_sha: "bbb".into(),
            labels: vec!["size-ok".into()],
            fork: false,
        };
        assert_eq!(pr, Some(expected));
        assert_eq!(pull_request(r#"{"ref":"refs/heads/main","after":"ccc"}"#).unwrap(), None);
        assert!(pull_request("not json").is_err());
    }

    #[test]
    fn a_fork_or_a_deleted_head_repository_is_read_only() {
        let fork = r#"{"pull_request":{"number":1,"base":{"sha":"a","repo":{"full_name":"o/r"}},
                       "head":{"sha":"b","repo":{"full_name":"someone/r"}}}}"#;
        assert!(pull_request(fork).unwrap().unwrap().fork);
        let gone = r#"{"pull_request":{"number":1,"base":{"sha":"a","repo":{"full_name":"o/r"}},
                       "head":{"sha":"b","repo":null}}}"#;
        assert!(pull_request(gone).unwrap().unwrap().fork);
    }

    #[test]
    fn reads_workflow_run() {
        let w = workflow_run(
            r#"{"action":"completed","workflow_run":{"id":42,"head_sha":"bbb","event":"pull_request",
                "pull_requests":[],"html_url":"https://github.com/o/r/actions/runs/42"}}"#,
        )
        .unwrap()
        .unwrap();
        assert_eq!(
            (w.id, w.head_sha.as_str(), w.event.as_str(), w.pull_requests.len()),
            (42, "bbb", "pull_request", 0)
        );
        assert_eq!(workflow_run(r#"{"ref":"x"}"#).unwrap(), None);
    }
}
