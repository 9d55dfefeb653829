//! What a rewrite's artifacts need at run time, found rather than guessed: the `DT_NEEDED`
//! entries of every ELF file among them (read from the built build stage through the Docker
//! API, parsed with goblin), then the package of that image which provides each library
//! (`dpkg -S`, `apk info --who-owns`, `rpm -qf`, run inside it). Packages the runtime base
//! already has are left out, so the runtime installs exactly what is missing.

use std::collections::BTreeSet;
use std::io::Read;
use std::time::Duration;

use super::engine::{Engine, EngineError};
use super::smoke::{self, Check};

/// A library an artifact needs, and the package that provides it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Need {
    pub soname: String,
    /// `None` when no package of the build image owns it (built from source, or not found).
    pub package: Option<String>,
}

/// Artifacts larger than this (in all) are not scanned: the answer would cost more than the
/// guess it replaces.
const MAX_ARCHIVE: usize = 1024 * 1024 * 1024;

/// The `DT_NEEDED` sonames of the ELF files in a tar archive, sorted.
pub fn sonames_in_tar(archive: &[u8]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut tar = tar::Archive::new(archive);
    let Ok(entries) = tar.entries() else { return out };
    for entry in entries.flatten() {
        let mut entry = entry;
        if !entry.header().entry_type().is_file() || entry.size() < 64 {
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size().min(256 << 20) as usize);
        if entry.by_ref().take(256 << 20).read_to_end(&mut bytes).is_err() || !bytes.starts_with(b"\x7fELF") {
            continue;
        }
        if let Ok(elf) = goblin::elf::Elf::parse(&bytes) {
            out.extend(elf.libraries.iter().map(|l| l.to_string()));
        }
    }
    out
}

/// The shell script that finds each soname in the image and prints `soname<TAB>owner`.
fn owner_script(sonames: &BTreeSet<String>) -> String {
    let names: Vec<String> = sonames
        .iter()
        .filter(|s| s.chars().all(|c| c.is_ascii_alphanumeric() || "._+-".contains(c)))
        .cloned()
        .collect();
    format!(
        r#"for s in {}; do
  p=; for d in /lib /usr/lib /lib64 /usr/lib64 /lib/*-linux-* /usr/lib/*-linux-* /usr/local/lib; do [ -e "$d/$s" ] && {{ p="$d/$s"; break; }}; done
  o=
  if [ -n "$p" ]; then
    r=$(readlink -f "$p")
    if command -v dpkg >/dev/null 2>&1; then o=$(dpkg -S "$p" 2>/dev/null || dpkg -S "$r" 2>/dev/null || dpkg -S "/usr$p" 2>/dev/null); o=$(echo "$o" | head -n 1 | cut -d: -f1)
    elif command -v apk >/dev/null 2>&1; then o=$(apk info --who-owns "$r" 2>/dev/null | sed -n 's/.* is owned by //p' | head -n 1)
    elif command -v rpm >/dev/null 2>&1; then o=$(rpm -qf --qf '%{{NAME}}\n' "$r" 2>/dev/null | head -n 1)
    fi
  fi
  printf '%s\t%s\n' "$s" "$o"
done"#,
        names.join(" ")
    )
}

/// `libssl3-3.1.4-r5` (apk's `name-version-rN`) → `libssl3`; Debian and RPM names as they are.
pub fn package_name(owner: &str) -> String {
    let o = owner.trim();
    let parts: Vec<&str> = o.split('-').collect();
    // apk: the version starts at the first part that begins with a digit, followed by rN
    if parts.len() >= 3
        && parts.last().is_some_and(|r| r.starts_with('r') && r[1..].chars().all(|c| c.is_ascii_digit()))
    {
        if let Some(v) = parts.iter().position(|p| p.starts_with(|c: char| c.is_ascii_digit())) {
            if v > 0 {
                return parts[..v].join("-");
            }
        }
    }
    o.to_owned()
}

/// Parse the script's output into needs.
pub fn parse_owners(output: &str) -> Vec<Need> {
    output
        .lines()
        .filter_map(|l| {
            let (soname, owner) = l.split_once('\t')?;
            let owner = owner.trim();
            Some(Need { soname: soname.trim().to_owned(), package: (!owner.is_empty()).then(|| package_name(owner)) })
        })
        .collect()
}

/// The packages installed in `image`, when it has a package manager (empty otherwise).
async fn installed(engine: &Engine, image: &str, timeout: Duration) -> BTreeSet<String> {
    let script = "if command -v dpkg-query >/dev/null 2>&1; then dpkg-query -W -f '${Package}\\n'; elif command -v apk >/dev/null 2>&1; then apk info; elif command -v rpm >/dev/null 2>&1; then rpm -qa --qf '%{NAME}\\n'; fi";
    match smoke::run(engine, image, &Check::Command(Some(script.into())), timeout).await {
        Ok(o) => o.output.unwrap_or_default().lines().map(|l| l.trim().to_owned()).filter(|l| !l.is_empty()).collect(),
        Err(_) => BTreeSet::new(),
    }
}

/// What the files at `paths` of `image` need at run time, leaving out what `runtime_base`
/// already provides.
pub async fn needs(
    engine: &Engine,
    image: &str,
    paths: &[String],
    runtime_base: &str,
    timeout: Duration,
) -> Result<Vec<Need>, EngineError> {
    let body = bollard::models::ContainerCreateBody {
        image: Some(image.to_owned()),
        cmd: Some(vec!["true".into()]),
        ..Default::default()
    };
    let id = engine.create_container(body).await?;
    let mut sonames = BTreeSet::new();
    let mut read = 0usize;
    for path in paths {
        // a path that is not there is not an artifact to scan (an empty archive)
        let archive = engine.copy_from_container(&id, path, MAX_ARCHIVE.saturating_sub(read)).await;
        read += archive.len();
        sonames.extend(sonames_in_tar(&archive));
    }
    engine.remove_container(&id).await;
    if sonames.is_empty() {
        return Ok(Vec::new());
    }
    let out = smoke::run(engine, image, &Check::Command(Some(owner_script(&sonames))), timeout).await?;
    let mut found = parse_owners(out.output.as_deref().unwrap_or(""));
    let base = installed(engine, runtime_base, timeout).await;
    found.retain(|n| n.package.as_ref().is_none_or(|p| !base.contains(p)));
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_and_apk_names() {
        assert_eq!(package_name("libssl3-3.1.4-r5"), "libssl3");
        assert_eq!(package_name("so:libc.musl-x86_64.so.1"), "so:libc.musl-x86_64.so.1");
        assert_eq!(package_name("libpq5"), "libpq5");
        assert_eq!(package_name("ca-certificates-bundle-20240226-r0"), "ca-certificates-bundle");
        let needs = parse_owners("libssl.so.3\tlibssl3\nlibfoo.so.1\t\n");
        assert_eq!(
            needs,
            [
                Need { soname: "libssl.so.3".into(), package: Some("libssl3".into()) },
                Need { soname: "libfoo.so.1".into(), package: None }
            ]
        );
        // only plain sonames reach the shell
        let s = owner_script(&["libssl.so.3".to_owned(), "x;rm -rf /".to_owned()].into_iter().collect());
        assert!(s.contains("for s in libssl.so.3; do") && !s.contains("rm -rf /"), "{s}");
    }

    #[test]
    fn reads_dt_needed_of_the_elf_files_in_an_archive() {
        // the host's `true` is a small ELF that needs libc (this test binary, built in the
        // dev profile, is larger than the 256 MiB read of one file)
        let me = std::fs::read("/bin/true").unwrap();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(me.len() as u64);
        h.set_mode(0o755);
        b.append_data(&mut h, "usr/local/bin/app", me.as_slice()).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(200);
        b.append_data(&mut h, "usr/local/share/readme", &[b'x'; 200][..]).unwrap();
        let sonames = sonames_in_tar(&b.into_inner().unwrap());
        assert!(sonames.iter().any(|s| s.starts_with("libc.so")), "{sonames:?}");
    }
}
