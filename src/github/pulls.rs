//! What `mode: plan` asks GitHub about a pull request: the paths it changes (no history is
//! needed in the checkout, so the default shallow `actions/checkout` is enough) and a file as
//! it is at the base commit (the base's `.shiplight.yml`).

use base64::Engine as _;
use serde_json::Value;

use super::comment::{CommentError, Comments};

/// GitHub lists at most this many files of a pull request.
pub const MAX_FILES: usize = 3_000;

/// The paths a pull request changes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChangedFiles {
    /// Repository-relative; both names of a rename.
    pub paths: Vec<String>,
    /// False when GitHub's list stopped at [`MAX_FILES`]: more may have changed.
    pub complete: bool,
}

impl Comments {
    /// `GET /repos/{repo}/pulls/{pr}/files`, every page (100 files each, 30 at most).
    pub async fn changed_files(&self, pr: u64) -> Result<ChangedFiles, CommentError> {
        let mut out = ChangedFiles { paths: Vec::new(), complete: true };
        let mut listed = 0;
        for page in 1..=(MAX_FILES / 100) {
            let path = format!("/repos/{}/pulls/{pr}/files?per_page=100&page={page}", self.repo());
            let list = self.retried("GET", &path, None).await?;
            let items = list.as_array().cloned().unwrap_or_default();
            listed += items.len();
            for f in &items {
                for key in ["previous_filename", "filename"] {
                    if let Some(p) = f[key].as_str() {
                        out.paths.push(p.to_owned());
                    }
                }
            }
            if items.len() < 100 {
                return Ok(out);
            }
        }
        out.complete = listed < MAX_FILES;
        Ok(out)
    }

    /// A file's text at `git_ref` (`GET /repos/{repo}/contents/{path}?ref=`); `None` when it
    /// does not exist there.
    pub async fn file_at(&self, path: &str, git_ref: &str) -> Result<Option<String>, CommentError> {
        let url = format!("/repos/{}/contents/{path}?ref={git_ref}", self.repo());
        match self.retried("GET", &url, None).await {
            Ok(v) => Ok(decode(&v)),
            Err(CommentError::Refused { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// The text of a contents-API file object (base64, wrapped in lines).
fn decode(v: &Value) -> Option<String> {
    let data: String = v["content"].as_str()?.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD.decode(data).ok()?;
    String::from_utf8(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_are_base64_in_lines() {
        let v =
            serde_json::json!({"type": "file", "encoding": "base64", "content": "aW1hZ2VzOgog\nIC0gbmFtZTogYXBp\n"});
        assert_eq!(decode(&v).as_deref(), Some("images:\n  - name: api"));
        assert_eq!(decode(&serde_json::json!({"type": "dir"})), None);
    }
}
