//! Mode `plan`: the first job of a monorepo's workflow. It picks the images the pull request
//! affects, as `shiplight plan` does, and hands the matrix to the jobs that build them. The
//! Action's container has no git, and the default checkout has no history, so the changed
//! paths come from GitHub (the pull request's file list) and the base's `.shiplight.yml`
//! from the contents API; the images and their ignore files come from the checkout.
//!
//! Outputs: `matrix` (for `strategy.matrix`), `count`, and `plan` (every image, affected or
//! not, for `mode: merge`). The plan is also saved as `report-dir/plan.json`.

use super::steps::{self, say};
use super::{ActionError, Inputs, Outcome, Runner};
use crate::github::event;
use crate::github::outputs;
use crate::github::pulls::MAX_FILES;
use crate::pipeline::plan::{self, PlanError, Planned};
use crate::report::render::escape_data;

pub async fn run(inputs: &Inputs, runner: &Runner) -> Result<Outcome, ActionError> {
    let ws = &runner.workspace;
    let usage = |e: PlanError| ActionError::Usage(e.to_string());
    let repo_name = runner.repo_name();
    let event_text = runner.event_text();
    let pr = event_text.as_deref().and_then(|t| event::pull_request(t).ok().flatten());
    let walk = || plan::walked_dockerfiles(ws);
    let planned: Vec<Planned> = match &pr {
        Some(p) => {
            // reading needs no comment author: no identity lookup
            let (client, _) = steps::client(inputs, runner)?;
            let changed = client.changed_files(p.number).await?;
            let mut base_config = None;
            for name in &crate::pipeline::lint::FILE_NAMES[..2] {
                if let Some(text) = client.file_at(name, &p.base_sha).await? {
                    base_config = Some(text);
                    break;
                }
            }
            let mut planned =
                plan::changes(ws, repo_name, base_config.as_deref(), walk, &changed.paths).map_err(usage)?;
            if !changed.complete {
                say(&format!("::warning::pull request #{} changes more than {MAX_FILES} files, as many as GitHub lists: every image is planned", p.number));
                for p in &mut planned {
                    p.reason.get_or_insert_with(|| {
                        format!("the pull request changes more than {MAX_FILES} files (GitHub lists no more)")
                    });
                }
            }
            planned
        }
        None => {
            // a push, a schedule, a manual run: nothing to compare a change with
            let mut planned = plan::changes(ws, repo_name, None, walk, &[]).map_err(usage)?;
            let event = runner.event_name.clone().unwrap_or_else(|| "this".into());
            for p in &mut planned {
                p.reason = Some(format!("a {event} event is not a pull request: every image is planned"));
            }
            planned
        }
    };
    let matrix = plan::matrix(&planned);
    let count = matrix["include"].as_array().map_or(0, Vec::len);
    let summary = serde_json::to_string(&plan::summary(&planned)).unwrap_or_default();
    let text = plan::text(&planned);
    for line in text.lines() {
        say(line);
    }
    let dir = ws.join(&inputs.report_dir);
    let saved = std::fs::create_dir_all(&dir).and_then(|_| std::fs::write(dir.join("plan.json"), &summary));
    if let Err(e) = saved {
        say(&format!("::warning::cannot save the plan in {}: {}", dir.display(), escape_data(&e.to_string())));
    }
    if let Some(path) = &runner.output {
        let list = [("matrix", matrix.to_string()), ("count", count.to_string()), ("plan", summary)];
        outputs::write_outputs(path, &list).map_err(|e| {
            ActionError::Environment(format!("cannot write the step outputs to {}: {e}", path.display()))
        })?;
    }
    if let Some(path) = &runner.summary {
        let body = format!("### 📦 shiplight plan\n\n```text\n{text}```\n");
        if let Err(e) = outputs::append_summary(path, &body) {
            say(&format!("::warning::cannot write the job summary to {}: {e}", path.display()));
        }
    }
    Ok(Outcome {
        comment_note: format!("outputs set: matrix ({count} image(s)), count, plan"),
        report_json: inputs.report_dir.join("plan.json"),
        ..Outcome::default()
    })
}
