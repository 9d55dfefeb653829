//! Lint large generated Dockerfiles: the input bytes steer a generator of up to a few
//! thousand stages with chains, fans, reused and unknown names, forward references, copies,
//! mounts, heredocs and long RUN scripts. Must never panic, and must stay near-linear (a
//! slow input shows up as a libFuzzer timeout).
#![no_main]

use libfuzzer_sys::fuzz_target;
use shiplight::lint::{lint_text, LintConfig};

fuzz_target!(|data: &[u8]| {
    if data.len() < 4 {
        return;
    }
    let stages = 1 + (u16::from_le_bytes([data[0], data[1]]) as usize % 4000);
    let mut bytes = data[2..].iter().copied().cycle();
    let mut next = || bytes.next().unwrap_or(0) as usize;
    let mut text = String::new();
    for i in 0..stages {
        let pick = next();
        let from = match pick % 6 {
            0 => "alpine:3.20".to_owned(),
            1 | 2 if i > 0 => format!("s{}", i - 1),
            3 if i > 0 => format!("s{}", next() * 31 % i),
            4 => format!("s{}", i + 1 + next() % 3), // a later stage: not allowed
            _ => "scratch".to_owned(),
        };
        let name = if pick % 11 == 0 && i > 1 { format!("S{}", i - 2) } else { format!("s{i}") };
        text.push_str(&format!("FROM {from} AS {name}\n"));
        for _ in 0..next() % 4 {
            match next() % 5 {
                0 => text.push_str(&format!("COPY --from=s{} /a{i} /b{i}\n", next() * 17 % (i + 2))),
                1 => text.push_str("RUN --mount=type=cache,target=/root/.cache apt-get update && apt-get install -y gcc | tee /l\n"),
                2 => text.push_str("RUN <<EOF\nset -e\ncd /tmp && make\nEOF\n"),
                3 => text.push_str(&format!("ENV K{i}=v{i}\nUSER {}\n", next() % 2)),
                _ => text.push_str(&"RUN echo x && ".repeat(next() % 40 + 1).trim_end_matches(" && ").to_owned()),
            }
            text.push('\n');
        }
    }
    let findings = lint_text(&text, "large", &LintConfig::default());
    for f in &findings {
        assert!(f.line >= 1 && f.end_line >= f.line, "bad span {f:?}");
    }
});
