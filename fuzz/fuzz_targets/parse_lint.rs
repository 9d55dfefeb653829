//! Parse and lint arbitrary bytes: must never panic, whatever the input.
#![no_main]

use libfuzzer_sys::fuzz_target;
use shiplight::lint::{lint_bytes, LintConfig};

fuzz_target!(|data: &[u8]| {
    let findings = lint_bytes(data, "fuzz", &LintConfig::default());
    for f in &findings {
        assert!(f.line >= 1 && f.end_line >= f.line, "bad span {f:?}");
    }
    // The text renderer must cope with whatever the findings carry.
    let report = shiplight::report::Report { files: vec!["fuzz".into()], findings, ..Default::default() };
    let _ = shiplight::report::render::text(&report);
});
