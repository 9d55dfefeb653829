//! Edits of a Dockerfile's text, as byte ranges: what a lint fix, a review suggestion and a
//! multi-stage rewrite all are (ruff's `Edit` is the model). The shell model says where each
//! word of a RUN is written ([`super::Instruction::source_range`]), so an edit lands on the
//! word it means, whatever the quoting, continuations or heredocs around it; nothing edits a
//! RUN by searching its text. One function applies them: [`apply`]. Pure.

use std::ops::Range;

/// Replace `range` of the text with `content`: an insertion when the range is empty, a
/// deletion when the content is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct Edit {
    pub range: Range<usize>,
    pub content: String,
}

impl Edit {
    pub fn insert(at: usize, content: impl Into<String>) -> Edit {
        Edit { range: at..at, content: content.into() }
    }

    pub fn replace(range: Range<usize>, content: impl Into<String>) -> Edit {
        Edit { range, content: content.into() }
    }

    pub fn delete(range: Range<usize>) -> Edit {
        Edit { range, content: String::new() }
    }

    /// The same edit, `by` bytes earlier (to apply it to a slice that starts there).
    pub fn shifted(&self, by: usize) -> Edit {
        Edit { range: self.range.start - by..self.range.end - by, content: self.content.clone() }
    }
}

/// Why edits could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("two edits overlap at byte {0}")]
    Overlap(usize),
    #[error("an edit ends past the text (byte {0})")]
    OutOfRange(usize),
    #[error("an edit cuts a character in two at byte {0}")]
    NotABoundary(usize),
}

/// Apply edits to `text`. Insertions at one point keep the order they are given in; any two
/// other edits that overlap are refused, never merged by guess.
pub fn apply(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut sorted: Vec<(usize, &Edit)> = edits.iter().enumerate().collect();
    sorted.sort_by_key(|(i, e)| (e.range.start, e.range.end, *i));
    let mut out = String::with_capacity(text.len() + edits.iter().map(|e| e.content.len()).sum::<usize>());
    let mut at = 0usize;
    for (_, e) in sorted {
        let (s, t) = (e.range.start, e.range.end);
        if t > text.len() || s > t {
            return Err(EditError::OutOfRange(t));
        }
        if s < at {
            return Err(EditError::Overlap(s));
        }
        if !text.is_char_boundary(s) || !text.is_char_boundary(t) {
            return Err(EditError::NotABoundary(if text.is_char_boundary(s) { t } else { s }));
        }
        out.push_str(&text[at..s]);
        out.push_str(&e.content);
        at = t;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_replaces_and_deletes_in_one_pass() {
        let text = "RUN pip install flask && make install\n";
        let edits = [
            Edit::insert(15, " --no-cache-dir"),
            Edit::replace(4..7, "pip3"),
            Edit::delete(24..37),
            Edit::insert(15, " -q"),
        ];
        assert_eq!(apply(text, &edits).unwrap(), "RUN pip3 install --no-cache-dir -q flask &&\n");
        assert_eq!(apply(text, &[]).unwrap(), text);
    }

    #[test]
    fn overlaps_and_bad_ranges_are_refused() {
        assert_eq!(
            apply("RUN abcdef", &[Edit::replace(0..5, "a"), Edit::replace(4..6, "b")]),
            Err(EditError::Overlap(4))
        );
        let text = "RUN échec";
        assert_eq!(apply(text, &[Edit::delete(3..99)]), Err(EditError::OutOfRange(99)));
        assert_eq!(apply(text, &[Edit::insert(5, "x")]), Err(EditError::NotABoundary(5)));
        // touching edits are not overlapping
        assert_eq!(apply("abcd", &[Edit::replace(0..2, "X"), Edit::replace(2..4, "Y")]).unwrap(), "XY");
    }
}
