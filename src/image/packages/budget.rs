//! The team's package budgets on a built image: `deny-packages` (globs of names that must not
//! ship, SL112) and `max-package-bytes` (SL113), each breach on the line that installed the
//! package; `None` when the FROM image brought it.

use std::collections::BTreeMap;

use super::{Inventory, Package};

/// One finding to report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breach {
    pub code: &'static str,
    pub line: Option<usize>,
    pub message: String,
}

/// The breaches of `inv`. Invalid globs were refused when the configuration was read.
/// Where a layer comes from: its Dockerfile line, and whether the FROM image brought it.
type Place = (Option<usize>, bool);

/// `place` says where a layer comes from: its Dockerfile line, and whether the FROM image
/// brought it.
pub fn check(
    inv: &Inventory,
    place: &dyn Fn(usize) -> Place,
    deny: &[String],
    max: Option<u64>,
    size: &dyn Fn(u64) -> String,
) -> Vec<Breach> {
    let mut out = Vec::new();
    let matchers: Vec<(String, globset::GlobMatcher)> =
        deny.iter().filter_map(|p| globset::Glob::new(p).ok().map(|g| (p.clone(), g.compile_matcher()))).collect();
    if !matchers.is_empty() {
        let mut by_line: BTreeMap<Place, Vec<(&Package, &str)>> = BTreeMap::new();
        for p in &inv.packages {
            if let Some((pattern, _)) = matchers.iter().find(|(_, m)| m.is_match(&p.name)) {
                by_line.entry(place(p.layer)).or_default().push((p, pattern));
            }
        }
        for ((line, inherited), mut list) in by_line {
            list.sort_by(|a, b| b.0.bytes.cmp(&a.0.bytes).then(a.0.name.cmp(&b.0.name)));
            let shown: Vec<String> = list
                .iter()
                .take(5)
                .map(|(p, pat)| format!("`{}` ({}, matches `{pat}`)", p.name, size(p.bytes)))
                .collect();
            let more = list.len().saturating_sub(5);
            let more = if more > 0 { format!(" and {more} more") } else { String::new() };
            let total: u64 = list.iter().map(|(p, _)| p.bytes).sum();
            let whence = if inherited { ", brought by the base image" } else { "" };
            out.push(Breach {
                code: "SL112",
                line,
                message: format!(
                    "{} of denied packages ship in the image{whence}: {}{more}; deny-packages in .shiplight.yml forbids them",
                    size(total),
                    shown.join(", ")
                ),
            });
        }
    }
    if let Some(max) = max {
        let mut over: Vec<&Package> = inv.packages.iter().filter(|p| p.bytes > max).collect();
        over.sort_by_key(|p| std::cmp::Reverse(p.bytes));
        for p in over {
            out.push(Breach {
                code: "SL113",
                line: place(p.layer).0,
                message: format!(
                    "{} `{}` {} is {}, over max-package-bytes {}",
                    p.ecosystem.as_str(),
                    p.name,
                    p.version,
                    size(p.bytes),
                    size(max)
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Ecosystem;
    use super::*;

    fn pkg(name: &str, bytes: u64, layer: usize) -> Package {
        Package::new(Ecosystem::Deb, name, "1", bytes, layer)
    }

    #[test]
    fn denied_by_line_and_over_budget() {
        let inv = Inventory {
            packages: vec![pkg("gcc-12", 50, 1), pkg("cpp-12", 30, 1), pkg("libc6-dev", 9, 0), pkg("python3", 200, 0)],
            ..Inventory::default()
        };
        // layer 0 is the FROM image's (line 1), layer 1 the RUN on line 4
        let place = |l: usize| if l == 1 { (Some(4), false) } else { (Some(1), true) };
        let size = |b: u64| format!("{b} B");
        let found = check(&inv, &place, &["gcc*".into(), "*-dev".into()], Some(100), &size);
        let got: Vec<(&str, Option<usize>)> = found.iter().map(|b| (b.code, b.line)).collect();
        assert_eq!(got, [("SL112", Some(1)), ("SL112", Some(4)), ("SL113", Some(1))]);
        assert!(
            found[0].message.contains("brought by the base image")
                && found[0].message.contains("`libc6-dev` (9 B, matches `*-dev`)"),
            "{found:?}"
        );
        assert!(
            found[1].message.starts_with("50 B of denied packages ship in the image: `gcc-12` (50 B, matches `gcc*`)"),
            "{found:?}"
        );
        assert!(found[2].message.contains("`python3` 1 is 200 B, over max-package-bytes 100 B"), "{found:?}");
    }
}
