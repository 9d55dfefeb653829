//! What a Dockerfile line's packages cost in a built image: the numbers the lint findings
//! about that line (SL302 recommended packages, SL101 a toolchain in the final image) state
//! when there is an image to measure.

use super::{Ecosystem, Inventory, Package};

/// Packages of `line`, by what they cost the image (files and what they caused), largest
/// first, and their sum.
pub struct Cost<'a> {
    pub bytes: u64,
    pub packages: Vec<&'a Package>,
}

impl Cost<'_> {
    /// `47.2 MB: perl (12.1 MB), libperl5.36 (7.4 MB), … and 40 more`, sizes by `size`.
    pub fn describe(&self, size: &dyn Fn(u64) -> String) -> String {
        let top: Vec<String> =
            self.packages.iter().take(3).map(|p| format!("`{}` ({})", p.name, size(p.bytes))).collect();
        let more = self.packages.len().saturating_sub(3);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        format!("{}: {}{more}", size(self.bytes), top.join(", "))
    }
}

fn on_line<'a>(
    inv: &'a Inventory,
    line_of: &dyn Fn(usize) -> Option<usize>,
    line: usize,
    keep: impl Fn(&Package) -> bool,
) -> Option<Cost<'a>> {
    let mut packages: Vec<&Package> = inv
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb && line_of(p.layer) == Some(line) && keep(p))
        .collect();
    if packages.is_empty() {
        return None;
    }
    packages.sort_by(|a, b| b.cost().cmp(&a.cost()).then(a.name.cmp(&b.name)));
    Some(Cost { bytes: packages.iter().map(|p| p.cost()).sum(), packages })
}

/// The packages `line` installed only because something recommends them.
pub fn recommended<'a>(inv: &'a Inventory, line_of: &dyn Fn(usize) -> Option<usize>, line: usize) -> Option<Cost<'a>> {
    on_line(inv, line_of, line, |p| p.recommended)
}

/// The build toolchain `line` installed: the requested build-only packages and everything
/// they pulled in.
pub fn toolchain<'a>(inv: &'a Inventory, line_of: &dyn Fn(usize) -> Option<usize>, line: usize) -> Option<Cost<'a>> {
    let roots: Vec<&str> = inv
        .packages
        .iter()
        .filter(|p| p.ecosystem == Ecosystem::Deb && line_of(p.layer) == Some(line) && p.requested == Some(true))
        .filter(|p| crate::dockerfile::packages::is_toolchain_package(&p.name))
        .map(|p| p.name.as_str())
        .collect();
    if roots.is_empty() {
        return None;
    }
    on_line(inv, line_of, line, |p| {
        roots.contains(&p.name.as_str()) || p.via.as_deref().is_some_and(|v| roots.contains(&v))
    })
}
