//! What a step hands back to the runner: outputs (`GITHUB_OUTPUT`, multi-line safe), the job
//! summary (`GITHUB_STEP_SUMMARY`) and annotations (workflow commands), capped to what GitHub
//! shows per step, most severe first.

use std::io::Write;
use std::path::Path;

use crate::lint::{Finding, Severity};
use crate::report::render::{escape_data, escape_property};

/// GitHub shows at most this many annotations of each level per step.
pub const PER_LEVEL: usize = 10;

/// `name=value`, or the heredoc form with a delimiter that does not occur in the value.
pub fn output_entry(name: &str, value: &str) -> String {
    if !value.contains('\n') && !value.contains('\r') {
        return format!("{name}={value}\n");
    }
    let mut n = 0;
    let delimiter = loop {
        let d = format!("SHIPLIGHT_EOF_{n}");
        if !value.contains(&d) {
            break d;
        }
        n += 1;
    };
    format!("{name}<<{delimiter}\n{value}\n{delimiter}\n")
}

/// Append outputs to the `GITHUB_OUTPUT` file.
pub fn write_outputs(path: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    for (name, value) in outputs {
        f.write_all(output_entry(name, value).as_bytes())?;
    }
    Ok(())
}

/// Append markdown to the job summary file.
pub fn append_summary(path: &Path, markdown: &str) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(markdown.as_bytes())?;
    f.write_all(b"\n")
}

/// Annotations for findings and for the layers that grew most (`(file, line, message)`):
/// errors, then warnings, then notices, at most [`PER_LEVEL`] of each.
pub fn annotations(findings: &[Finding], growth: &[(String, usize, String)]) -> Vec<String> {
    let mut by_level: [Vec<String>; 3] = Default::default();
    let mut sorted: Vec<&Finding> = findings.iter().collect();
    sorted.sort_by_key(|f| f.severity);
    for f in sorted {
        let (i, level) = match f.severity {
            Severity::Error => (0, "error"),
            Severity::Warning => (1, "warning"),
            Severity::Info | Severity::Style => (2, "notice"),
        };
        by_level[i].push(format!(
            "::{level} file={},line={},endLine={},title={}::{}",
            escape_property(&f.file),
            f.line,
            f.end_line,
            escape_property(&format!("{} {}", f.code, f.name)),
            escape_data(&f.message)
        ));
    }
    for (file, line, message) in growth {
        by_level[1].push(format!(
            "::warning file={},line={line},title=shiplight image growth::{}",
            escape_property(file),
            escape_data(message)
        ));
    }
    by_level
        .into_iter()
        .flat_map(|mut v| {
            v.truncate(PER_LEVEL);
            v
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multi_line_outputs_are_safe() {
        assert_eq!(output_entry("verdict", "pass"), "verdict=pass\n");
        let v = "line one\nSHIPLIGHT_EOF_0\nline three";
        let e = output_entry("report", v);
        assert!(e.starts_with("report<<SHIPLIGHT_EOF_1\n") && e.ends_with("\nSHIPLIGHT_EOF_1\n"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("out");
        write_outputs(&p, &[("a", "1".into()), ("b", "x\ny".into())]).unwrap();
        append_summary(&dir.path().join("sum"), "## hi").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "a=1\nb<<SHIPLIGHT_EOF_0\nx\ny\nSHIPLIGHT_EOF_0\n");
    }

    #[test]
    fn annotations_are_capped_and_most_severe_first() {
        let f = |sev, line| Finding {
            file: "Dockerfile".into(),
            line,
            column: 1,
            end_line: line,
            code: "SL101".into(),
            name: "n".into(),
            severity: sev,
            message: "m".into(),
            stage: None,
            fix: None,
            source_line: String::new(),
            ships: None,
            edits: Vec::new(),
        };
        let mut findings: Vec<Finding> = (1..=15).map(|l| f(Severity::Info, l)).collect();
        findings.extend((1..=12).map(|l| f(Severity::Error, l)));
        let growth = vec![("Dockerfile".to_string(), 4usize, "+571 MB: RUN apt install, 50% of it".to_string())];
        let a = annotations(&findings, &growth);
        assert_eq!(a.len(), 10 + 1 + 10);
        assert!(a[0].starts_with("::error ") && a[10].starts_with("::warning ") && a[11].starts_with("::notice "));
        assert!(a[10].ends_with("::+571 MB: RUN apt install, 50%25 of it"), "{}", a[10]);
    }
}
