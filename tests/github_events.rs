//! Every pull_request payload GitHub publishes (@octokit/webhooks-examples) is read: the
//! base commit the comparison builds, the head commit, the number. Installed into .peers/ by
//! scripts/peers.sh; required in CI, skipped locally when missing.

use std::path::PathBuf;

use serde_json::Value;
use shiplight::github::event;

#[test]
fn every_published_pull_request_payload_is_read() {
    let index = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(".peers/node_modules/@octokit/webhooks-examples/api.github.com/index.json");
    let Ok(text) = std::fs::read_to_string(&index) else {
        assert!(
            std::env::var_os("CI").is_none(),
            "@octokit/webhooks-examples is required in CI (scripts/peers.sh installs it)"
        );
        eprintln!("SKIPPED events: run scripts/peers.sh");
        return;
    };
    let all: Vec<Value> = serde_json::from_str(&text).unwrap();
    let mut read = 0;
    for group in all.iter().filter(|g| matches!(g["name"].as_str(), Some("pull_request" | "pull_request_target"))) {
        for example in group["examples"].as_array().unwrap() {
            let payload = example.to_string();
            let pr = event::pull_request(&payload)
                .unwrap_or_else(|e| panic!("{e}: {}", &payload[..200.min(payload.len())]))
                .expect("a pull request");
            assert_eq!(pr.base_sha, example["pull_request"]["base"]["sha"].as_str().unwrap());
            assert_eq!(pr.head_sha, example["pull_request"]["head"]["sha"].as_str().unwrap());
            assert_eq!(pr.number, example["number"].as_u64().unwrap());
            assert_eq!(pr.base_sha.len(), 40);
            let labels: Vec<&str> = example["pull_request"]["labels"]
                .as_array()
                .map(|l| l.iter().filter_map(|l| l["name"].as_str()).collect())
                .unwrap_or_default();
            assert_eq!(pr.labels, labels);
            let repo = |side: &str| example["pull_request"][side]["repo"]["full_name"].as_str().map(str::to_lowercase);
            assert_eq!(pr.fork, repo("head").is_none() || repo("head") != repo("base"));
            read += 1;
        }
    }
    assert!(read >= 20, "only {read} pull_request examples found");
    // every published workflow_run payload is read too (the comment job's event)
    let mut runs = 0;
    for group in all.iter().filter(|g| g["name"] == "workflow_run") {
        for example in group["examples"].as_array().unwrap() {
            let w = event::workflow_run(&example.to_string()).unwrap().expect("a workflow run");
            assert_eq!(w.head_sha, example["workflow_run"]["head_sha"].as_str().unwrap());
            runs += 1;
        }
    }
    assert!(runs >= 1, "no workflow_run examples found");
    // a push payload is no pull request
    let push = all.iter().find(|g| g["name"] == "push").and_then(|g| g["examples"][0].as_object()).unwrap();
    assert_eq!(event::pull_request(&Value::Object(push.clone()).to_string()).unwrap(), None);
}
