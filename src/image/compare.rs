//! Compare a head image with a base image (pure): overall deltas, per-instruction deltas
//! matched by instruction text and position, base-image drift apart from the PR's own
//! layers, and a verdict against the team's thresholds.

use serde::{Deserialize, Serialize};

use super::{ImageMeasure, Layer};

/// base → head for one quantity.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub base: u64,
    pub head: u64,
    pub delta: i64,
    /// Relative change in percent (0 when the base is 0).
    pub percent: f64,
}

impl Delta {
    pub fn new(base: u64, head: u64) -> Delta {
        let delta = head as i64 - base as i64;
        let percent = if base == 0 { 0.0 } else { delta as f64 * 100.0 / base as f64 };
        Delta { base, head, delta, percent }
    }
}

/// How one instruction's layer changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    Added,
    Removed,
    Changed,
    Unchanged,
}

/// One instruction's layer, base against head.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerDelta {
    /// The instruction as written in the Dockerfile, else as recorded.
    pub instruction: String,
    /// Head line (or base line for removed layers).
    pub line: Option<usize>,
    pub stage: Option<String>,
    pub base_bytes: u64,
    pub head_bytes: u64,
    pub delta_bytes: i64,
    pub change: Change,
    /// A layer of the FROM image rather than of this Dockerfile's own instructions.
    pub inherited: bool,
    /// Build-only packages the head layer (or the removed base layer) installs.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub toolchain: Vec<String>,
}

/// Everything the comparison found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub size: Delta,
    pub compressed: Delta,
    pub layers: Delta,
    pub wasted: Delta,
    /// Change of the layers inherited from an unchanged FROM image: upstream drift, not the PR.
    pub base_image_drift_bytes: i64,
    /// The FROM image changed (base → head), so the inherited layers' change is the PR's own.
    pub base_image_changed: Option<(String, String)>,
    /// Every filesystem layer, inherited ones included, in head order; removed ones after.
    pub instructions: Vec<LayerDelta>,
}

impl Comparison {
    /// The layers that grew most (positive deltas, largest first).
    pub fn top_growing(&self, n: usize) -> Vec<&LayerDelta> {
        let mut v: Vec<&LayerDelta> = self.instructions.iter().filter(|d| d.delta_bytes > 0).collect();
        v.sort_by_key(|d| std::cmp::Reverse(d.delta_bytes));
        v.truncate(n);
        v
    }

    /// The layers that shrank most (negative deltas, largest shrink first).
    pub fn top_shrinking(&self, n: usize) -> Vec<&LayerDelta> {
        let mut v: Vec<&LayerDelta> = self.instructions.iter().filter(|d| d.delta_bytes < 0).collect();
        v.sort_by_key(|d| d.delta_bytes);
        v.truncate(n);
        v
    }
}

/// A key that survives rebuilds: builder noise (content hashes, `# buildkit`) removed.
pub fn normalize(created_by: &str) -> String {
    let s = created_by.trim().trim_end_matches("# buildkit").trim();
    let s = s.strip_prefix("/bin/sh -c #(nop)").or_else(|| s.strip_prefix("/bin/sh -c ")).unwrap_or(s);
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        match word.split_once(':') {
            Some((k @ ("file" | "dir" | "multi"), h)) if h.chars().all(|c| c.is_ascii_hexdigit()) && h.len() >= 12 => {
                out.push_str(k);
                out.push_str(":*");
            }
            _ => out.push_str(word),
        }
    }
    out
}

fn filesystem(layers: &[Layer]) -> Vec<&Layer> {
    layers.iter().filter(|l| !l.empty).collect()
}

fn label(l: &Layer) -> String {
    l.instruction.clone().unwrap_or_else(|| normalize(&l.created_by))
}

/// Compare head with base.
pub fn compare(base: &ImageMeasure, head: &ImageMeasure) -> Comparison {
    let inherited = |m: &ImageMeasure| m.layers.iter().filter(|l| l.inherited).map(|l| l.size_bytes).sum::<u64>();
    let (b, h) = (filesystem(&base.layers), filesystem(&head.layers));
    let mut used = vec![false; b.len()];
    let mut instructions = Vec::new();
    let mut cursor = 0;
    for (hi, hl) in h.iter().enumerate() {
        let key = normalize(&hl.created_by);
        // same text on the same side of the FROM, at or after the last match; else, for the
        // Dockerfile's own layers, the same position with the same line
        let found = (cursor..b.len())
            .find(|&i| !used[i] && b[i].inherited == hl.inherited && normalize(&b[i].created_by) == key)
            .or_else(|| {
                let same_line = hi < b.len()
                    && !used[hi]
                    && !hl.inherited
                    && !b[hi].inherited
                    && b[hi].line.is_some()
                    && b[hi].line == hl.line;
                same_line.then_some(hi)
            });
        let (base_bytes, change) = match found {
            Some(i) => {
                used[i] = true;
                cursor = i + 1;
                let c = if b[i].size_bytes == hl.size_bytes && normalize(&b[i].created_by) == key {
                    Change::Unchanged
                } else {
                    Change::Changed
                };
                (b[i].size_bytes, c)
            }
            None => (0, Change::Added),
        };
        instructions.push(LayerDelta {
            instruction: label(hl),
            line: hl.line,
            stage: hl.stage.clone(),
            base_bytes,
            head_bytes: hl.size_bytes,
            delta_bytes: hl.size_bytes as i64 - base_bytes as i64,
            change,
            inherited: hl.inherited,
            toolchain: hl.toolchain.clone(),
        });
    }
    for (_, bl) in b.iter().enumerate().filter(|(i, _)| !used[*i]) {
        instructions.push(LayerDelta {
            instruction: label(bl),
            line: bl.line,
            stage: bl.stage.clone(),
            base_bytes: bl.size_bytes,
            head_bytes: 0,
            delta_bytes: -(bl.size_bytes as i64),
            change: Change::Removed,
            inherited: bl.inherited,
            toolchain: bl.toolchain.clone(),
        });
    }
    let base_image_changed = match (&base.from_image, &head.from_image) {
        (Some(b), Some(h)) if b != h => Some((b.clone(), h.clone())),
        _ => None,
    };
    let inherited_delta = inherited(head) as i64 - inherited(base) as i64;
    Comparison {
        size: Delta::new(base.size_bytes, head.size_bytes),
        compressed: Delta::new(base.compressed_bytes, head.compressed_bytes),
        layers: Delta::new(base.layer_count as u64, head.layer_count as u64),
        wasted: Delta::new(base.wasted_bytes, head.wasted_bytes),
        base_image_drift_bytes: if base_image_changed.is_some() { 0 } else { inherited_delta },
        base_image_changed,
        instructions,
    }
}

/// `123`, `20MB`, `1.5 GB`, `500kB` (decimal units, as docker shows sizes).
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("`{s}` is not a size: write bytes or a number with kB, MB or GB"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use B, kB, MB or GB)")),
    };
    Ok((n * mult).round() as u64)
}

/// The team's limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub fail_on_increase_bytes: Option<u64>,
    pub fail_on_increase_percent: Option<f64>,
    pub warn_on_increase_percent: Option<f64>,
    /// Absolute budget for the head image.
    pub max_size: Option<u64>,
}

/// The outcome for one image, or for the whole run (the worst image's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    #[default]
    Pass,
    /// No comparison was possible (no base); budgets were still checked.
    Skipped,
    Warn,
    Fail,
}

/// Why a verdict is not a pass: the measured value and the limit it broke, in bytes or
/// percent (renderers humanise them).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "threshold", rename_all = "kebab-case")]
pub enum Reason {
    /// The head image is larger than the budget.
    MaxSize {
        head_bytes: u64,
        max_bytes: u64,
    },
    FailOnIncreaseBytes {
        delta_bytes: i64,
        limit_bytes: u64,
    },
    FailOnIncreasePercent {
        percent: f64,
        limit: f64,
    },
    WarnOnIncreasePercent {
        percent: f64,
        limit: f64,
    },
}

impl Verdict {
    /// The word the JSON report and the Action's `verdict` output use.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Skipped => "skipped",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

/// Judge a head size (and its delta, when there is a base) against the thresholds, with the
/// reasons for anything but a pass.
pub fn verdict(head_bytes: u64, delta: Option<&Delta>, t: &Thresholds) -> (Verdict, Vec<Reason>) {
    let mut v = if delta.is_some() { Verdict::Pass } else { Verdict::Skipped };
    let mut why = Vec::new();
    if let Some(max) = t.max_size {
        if head_bytes > max {
            v = Verdict::Fail;
            why.push(Reason::MaxSize { head_bytes, max_bytes: max });
        }
    }
    if let Some(d) = delta {
        if let Some(limit) = t.fail_on_increase_bytes {
            if d.delta > limit as i64 {
                v = Verdict::Fail;
                why.push(Reason::FailOnIncreaseBytes { delta_bytes: d.delta, limit_bytes: limit });
            }
        }
        if let Some(limit) = t.fail_on_increase_percent {
            if d.percent > limit {
                v = Verdict::Fail;
                why.push(Reason::FailOnIncreasePercent { percent: d.percent, limit });
            }
        }
        if v != Verdict::Fail {
            if let Some(limit) = t.warn_on_increase_percent {
                if d.percent > limit {
                    v = Verdict::Warn;
                    why.push(Reason::WarnOnIncreasePercent { percent: d.percent, limit });
                }
            }
        }
    }
    (v, why)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn img(layers: Vec<Layer>) -> ImageMeasure {
        let size = layers.iter().map(|l| l.size_bytes).sum();
        ImageMeasure {
            size_bytes: size,
            layer_count: layers.iter().filter(|l| !l.empty).count(),
            layers,
            ..Default::default()
        }
    }

    fn l(created_by: &str, size: u64, line: Option<usize>, inherited: bool) -> Layer {
        Layer { created_by: created_by.into(), size_bytes: size, line, inherited, ..Default::default() }
    }

    #[test]
    fn per_instruction_deltas_and_drift() {
        let base = img(vec![
            l("ADD rootfs", 100, None, true),
            l("/bin/sh -c #(nop) COPY file:0123456789abcdef in /app", 10, Some(3), false),
            l("/bin/sh -c old", 5, Some(4), false),
        ]);
        let head = img(vec![
            l("ADD rootfs", 120, None, true),
            l("/bin/sh -c #(nop) COPY file:fedcba9876543210 in /app", 12, Some(3), false),
            l("/bin/sh -c head -c 20971520 /dev/urandom > /big", 20_971_520, Some(4), false),
        ]);
        let c = compare(&base, &head);
        assert_eq!(c.base_image_drift_bytes, 20);
        assert_eq!(c.size.delta, 20 + 2 + 20_971_520 - 5);
        assert_eq!(
            (c.instructions[0].inherited, c.instructions[0].delta_bytes),
            (true, 20),
            "the inherited layer, matched by text"
        );
        assert_eq!(c.instructions[1].change, Change::Changed, "same COPY, new content hash");
        assert_eq!(c.instructions[1].delta_bytes, 2);
        let top = c.top_growing(1)[0];
        assert_eq!((top.line, top.delta_bytes), (Some(4), 20_971_520 - 5));
    }

    #[test]
    fn a_changed_from_image_is_the_prs_own_change() {
        let mut base = img(vec![
            l("/bin/sh -c apt-get install -y python3", 50, Some(1), true),
            l("/bin/sh -c pip install flask", 5, Some(4), false),
        ]);
        let mut head = img(vec![
            l("/bin/sh -c apt-get install -y python3 build-essential", 300, Some(1), true),
            l("/bin/sh -c pip install flask", 5, Some(5), false),
        ]);
        base.from_image = Some("python:3.9-slim".into());
        head.from_image = Some("python:3.9".into());
        let c = compare(&base, &head);
        assert_eq!(c.base_image_drift_bytes, 0);
        assert_eq!(c.base_image_changed, Some(("python:3.9-slim".into(), "python:3.9".into())));
        let top = c.top_growing(1)[0];
        assert!(top.inherited && top.delta_bytes == 300, "{top:?}");
        assert_eq!(c.instructions.iter().find(|d| d.change == Change::Removed).unwrap().delta_bytes, -50);
    }

    #[test]
    fn added_and_removed_layers() {
        let base = img(vec![l("/bin/sh -c a", 1, Some(2), false), l("/bin/sh -c b", 2, Some(3), false)]);
        let head = img(vec![l("/bin/sh -c a", 1, Some(2), false), l("/bin/sh -c c", 7, Some(5), false)]);
        let c = compare(&base, &head);
        let changes: Vec<Change> = c.instructions.iter().map(|d| d.change).collect();
        assert_eq!(changes, vec![Change::Unchanged, Change::Added, Change::Removed]);
        assert_eq!(c.top_shrinking(1)[0].instruction, "b");
    }

    #[test]
    fn verdicts() {
        let t = Thresholds {
            fail_on_increase_percent: Some(10.0),
            warn_on_increase_percent: Some(5.0),
            max_size: Some(1000),
            ..Default::default()
        };
        assert_eq!(verdict(500, Some(&Delta::new(500, 500)), &t).0, Verdict::Pass);
        assert_eq!(verdict(530, Some(&Delta::new(500, 530)), &t).0, Verdict::Warn);
        let (v, why) = verdict(600, Some(&Delta::new(500, 600)), &t);
        assert_eq!(v, Verdict::Fail);
        assert_eq!(why, [Reason::FailOnIncreasePercent { percent: 20.0, limit: 10.0 }]);
        assert_eq!(verdict(1500, None, &t).0, Verdict::Fail);
        assert_eq!(verdict(10, None, &t).0, Verdict::Skipped);
        for v in [Verdict::Pass, Verdict::Skipped, Verdict::Warn, Verdict::Fail] {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str(), "the same word as the JSON report");
        }
    }
}
