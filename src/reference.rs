//! Image references as Docker reads them: one parser for the Dockerfile model (`FROM
//! python:3.9`, read leniently, since a FROM line may still hold an unresolved `$ARG`) and for
//! the registry client (read strictly, to Docker's grammar).
//!
//! The normalisation is Docker's (distribution/reference's `ParseNormalizedNamed`): the first
//! path component is a registry host when it has a `.` or a `:` (a port), is `localhost`, or
//! has an upper-case letter; otherwise the image is on Docker Hub, `docker.io`.
//! `index.docker.io` is Docker Hub's legacy name and becomes `docker.io`, and a one-component
//! name there is an official image (`python` → `docker.io/library/python`). A reference
//! without a tag or digest means `:latest` ([`ImageRef::target`], [`ImageRef::normalized`]);
//! the [`ImageRef::tag`] field says whether one was written, which lint rules need.
//!
//! Digests: shiplight verifies every blob it reads against its digest, and it verifies
//! SHA-256 only. A reference or a manifest naming content by another algorithm (`sha512:`) is
//! refused with a message saying so, never read unverified ([`check_digest`]).

use std::fmt;

/// Docker Hub, as references name it.
pub const DOCKER_HUB: &str = "docker.io";
/// Docker Hub's legacy name, normalised to [`DOCKER_HUB`].
const DOCKER_HUB_LEGACY: &str = "index.docker.io";
/// The longest repository name (with its registry) Docker accepts.
const NAME_MAX: usize = 255;

/// An image reference split into its parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    /// Registry host (and port), `docker.io` when none is written.
    pub registry: String,
    /// Repository path without registry, `library/` added for official images.
    pub repository: String,
    /// The tag as written (`None` when none was: the reference means `latest`).
    pub tag: Option<String>,
    pub digest: Option<String>,
}

/// Why a reference is not one a registry would accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    #[error("`{text}` is not an image reference: {why}")]
    Invalid { text: String, why: String },
    #[error("`{text}` names its image by a {algorithm} digest, and shiplight verifies sha256 digests only; name the image by its tag, or by its sha256 digest (`docker buildx imagetools inspect {name}` prints it)")]
    UnsupportedDigest { text: String, algorithm: String, name: String },
}

/// Why a digest cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    #[error("`{0}` is not a digest (ALGORITHM:HEX, e.g. sha256: and 64 hex digits)")]
    Malformed(String),
    /// A well-formed digest of an algorithm shiplight does not verify.
    #[error("`{digest}` is a {algorithm} digest, and shiplight verifies sha256 digests only")]
    Unsupported { digest: String, algorithm: String },
}

/// Check a digest as OCI writes them (`ALGORITHM:ENCODED`): `Ok` for a SHA-256 digest, which
/// shiplight can verify; the algorithm named when it is another one.
pub fn check_digest(digest: &str) -> Result<(), DigestError> {
    let malformed = || DigestError::Malformed(digest.to_owned());
    let (algorithm, encoded) = digest.split_once(':').ok_or_else(malformed)?;
    let component_ok = |c: &str| {
        c.chars().next().is_some_and(|f| f.is_ascii_alphabetic()) && c.chars().all(|ch| ch.is_ascii_alphanumeric())
    };
    let algorithm_ok = !algorithm.is_empty() && algorithm.split(['+', '.', '_', '-']).all(component_ok);
    if !algorithm_ok || encoded.len() < 32 || !encoded.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(malformed());
    }
    if algorithm != "sha256" {
        return Err(DigestError::Unsupported { digest: digest.to_owned(), algorithm: algorithm.to_owned() });
    }
    if encoded.len() != 64 || !encoded.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(malformed());
    }
    Ok(())
}

/// `(registry, repository)` of a name without tag or digest, normalised as Docker does.
fn split_registry(name: &str) -> (String, String) {
    let (registry, rest) = match name.split_once('/') {
        Some((first, rest))
            if first.contains(['.', ':']) || first == "localhost" || first.chars().any(|c| c.is_ascii_uppercase()) =>
        {
            (first, rest)
        }
        _ => (DOCKER_HUB, name),
    };
    let registry = if registry == DOCKER_HUB_LEGACY { DOCKER_HUB } else { registry };
    let repository =
        if registry == DOCKER_HUB && !rest.contains('/') { format!("library/{rest}") } else { rest.into() };
    (registry.to_owned(), repository)
}

impl ImageRef {
    /// Parse a reference like `python:3.9` or `ghcr.io/o/r:tag@sha256:…`, whatever it holds:
    /// the Dockerfile model reads FROM lines with this, and they may hold unresolved ARGs.
    /// [`ImageRef::strict`] refuses what a registry would.
    pub fn parse(reference: &str) -> ImageRef {
        let (rest, digest) = match reference.split_once('@') {
            Some((r, d)) => (r, Some(d.to_owned())),
            None => (reference, None),
        };
        let (name, tag) = match rest.rfind(':') {
            Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(rest[i + 1..].to_owned())),
            _ => (rest, None),
        };
        let (registry, repository) = split_registry(name);
        ImageRef { registry, repository, tag, digest }
    }

    /// [`ImageRef::parse`], refusing what Docker's grammar does not allow, and digests
    /// shiplight cannot verify.
    pub fn strict(text: &str) -> Result<ImageRef, ReferenceError> {
        let text = text.trim();
        let bad = |why: &str| Err(ReferenceError::Invalid { text: text.to_owned(), why: why.to_owned() });
        let r = ImageRef::parse(text);
        if let Some(d) = &r.digest {
            match check_digest(d) {
                Ok(()) => {}
                Err(DigestError::Unsupported { algorithm, .. }) => {
                    let name = text.split('@').next().unwrap_or(text).to_owned();
                    return Err(ReferenceError::UnsupportedDigest { text: text.to_owned(), algorithm, name });
                }
                Err(DigestError::Malformed(_)) => return bad("a digest is sha256: and 64 lower-case hex digits"),
            }
        }
        if !valid_host(&r.registry) {
            return bad("the registry is not a host name, an IP address or [IPv6], with an optional :port");
        }
        if r.repository.is_empty() || r.repository.split('/').any(str::is_empty) {
            return bad("the repository name is empty or has an empty component");
        }
        if r.repository.bytes().any(|b| b.is_ascii_uppercase()) {
            return bad("a repository name is lower case");
        }
        if !r.repository.split('/').all(valid_path_component) {
            return bad("a repository name is lower-case letters and digits, separated by `/`, `.`, `_`, `__` or `-`");
        }
        if r.registry.len() + 1 + r.repository.len() > NAME_MAX {
            return bad("a repository name is at most 255 characters");
        }
        if let Some(t) = &r.tag {
            let first_ok = t.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !first_ok || t.len() > 128 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) {
                return bad("a tag is letters, digits, `_`, `.` and `-`, at most 128, not starting with `.` or `-`");
            }
        }
        Ok(r)
    }

    /// The short name of an official image (`python` for `library/python`), if official.
    pub fn official_name(&self) -> Option<&str> {
        if self.registry == DOCKER_HUB {
            self.repository.strip_prefix("library/")
        } else {
            None
        }
    }

    /// The last path component (`python`, `node`, `static-debian12`).
    pub fn short_name(&self) -> &str {
        self.repository.rsplit('/').next().unwrap_or(&self.repository)
    }

    /// The reference in full, as Docker normalises it: `python` →
    /// `docker.io/library/python:latest` (no `:latest` beside a digest).
    pub fn normalized(&self) -> String {
        match (&self.tag, &self.digest) {
            (None, None) => format!("{self}:latest"),
            _ => self.to_string(),
        }
    }

    /// The host the Distribution API is on.
    pub fn api_host(&self) -> &str {
        match self.registry.as_str() {
            DOCKER_HUB => "registry-1.docker.io",
            r => r,
        }
    }

    /// What a manifest request names: the digest when there is one, else the tag.
    pub fn target(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }

    /// The same repository at another digest.
    pub fn at(&self, digest: &str) -> ImageRef {
        ImageRef { digest: Some(digest.to_owned()), ..self.clone() }
    }

    /// The host without a port, for deciding whether plain HTTP is allowed.
    pub fn host_name(&self) -> &str {
        let r = self.registry.as_str();
        if let Some(v6) = r.strip_prefix('[') {
            return v6.split(']').next().unwrap_or(v6);
        }
        r.rsplit_once(':').map(|(h, _)| h).unwrap_or(r)
    }
}

/// `[a-z0-9]+` joined by `.`, `_`, `__` or one or more `-`.
fn valid_path_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && !alnum(b[i]) {
            i += 1;
        }
        let sep = &c[start..i];
        if !(sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|x| x == b'-')) {
            return false;
        }
    }
    true
}

/// A host name (letters, digits, inner `-`, dot-separated), an IPv4 address or `[IPv6]`,
/// with an optional `:port`.
fn valid_host(registry: &str) -> bool {
    let port_ok = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if let Some(v6) = registry.strip_prefix('[') {
        return match v6.split_once(']') {
            Some((addr, rest)) if !addr.is_empty() && addr.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') => {
                rest.is_empty() || rest.strip_prefix(':').is_some_and(port_ok)
            }
            _ => false,
        };
    }
    match registry.split_once(':') {
        Some((host, port)) => port_ok(port) && host.split('.').all(label_ok),
        None => registry.split('.').all(label_ok),
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if let Some(t) = &self.tag {
            write!(f, ":{t}")?;
        }
        if let Some(d) = &self.digest {
            write!(f, "@{d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(text: &str) -> (String, String, Option<String>, Option<String>) {
        let r = ImageRef::strict(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        (r.registry, r.repository, r.tag, r.digest)
    }

    #[test]
    fn docker_hub_defaults() {
        let r = ImageRef::strict("python:3.9").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref(), r.official_name()),
            ("docker.io", "library/python", Some("3.9"), Some("python"))
        );
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.target(), "3.9");
        let r = ImageRef::strict("bitnami/redis").unwrap();
        assert_eq!((r.repository.as_str(), r.target(), r.tag.as_deref()), ("bitnami/redis", "latest", None));
        assert_eq!(ImageRef::parse("python").normalized(), "docker.io/library/python:latest");
        assert_eq!(ImageRef::parse("gcr.io/distroless/static-debian12").short_name(), "static-debian12");
    }

    #[test]
    fn hosts_ports_and_digests() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = ImageRef::strict(&format!("127.0.0.1:5000/team/app:pr-7@{d}")).unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("pr-7"));
        assert_eq!(r.target(), d);
        assert_eq!(r.host_name(), "127.0.0.1");
        assert_eq!(r.normalized(), format!("127.0.0.1:5000/team/app:pr-7@{d}"));
        assert_eq!(ImageRef::strict("localhost/app").unwrap().registry, "localhost");
        assert_eq!(parts("localhost:5000/app").0, "localhost:5000");
        assert_eq!(parts("[::1]:5000/app").0, "[::1]:5000");
        assert_eq!(ImageRef::parse("[::1]:5000/app").host_name(), "::1");
        assert_eq!(ImageRef::strict("ghcr.io/o/app:main").unwrap().to_string(), "ghcr.io/o/app:main");
        let r = ImageRef::parse("localhost:5000/team/app@sha256:abc");
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("localhost:5000", "team/app", None)
        );
        // a port-like tag on a one-component name is a tag (Docker reads `test.com:5000` so)
        assert_eq!(parts("test.com:5000"), ("docker.io".into(), "library/test.com".into(), Some("5000".into()), None));
        let bad = |t: &str| ImageRef::strict(t).unwrap_err().to_string();
        assert!(bad("app@sha256:12").contains("64 lower-case hex"));
        assert!(bad("Team/App").contains("lower case"));
        assert!(bad("a//b").contains("empty component"));
        assert!(bad("app:-x").contains("a tag is"));
        assert!(bad("team/a..b").contains("lower-case letters"), "{}", bad("team/a..b"));
        assert!(bad("ex_ample.com/x").contains("registry"), "{}", bad("ex_ample.com/x"));
    }

    /// Docker Hub's legacy host is Docker Hub: `index.docker.io/python` is the official
    /// `python`, as `docker pull` reads it.
    #[test]
    fn index_docker_io_is_docker_hub() {
        for text in ["index.docker.io/python", "docker.io/python", "docker.io/library/python", "python"] {
            let r = ImageRef::parse(text);
            assert_eq!((r.registry.as_str(), r.repository.as_str()), ("docker.io", "library/python"), "{text}");
            assert_eq!(r.official_name(), Some("python"), "{text}");
            assert_eq!(r.normalized(), "docker.io/library/python:latest", "{text}");
        }
        let r = ImageRef::strict("index.docker.io/bitnami/redis:7").unwrap();
        assert_eq!((r.registry.as_str(), r.repository.as_str()), ("docker.io", "bitnami/redis"));
        assert_eq!(r.api_host(), "registry-1.docker.io");
    }

    /// A digest of an algorithm shiplight cannot verify is refused, saying which algorithm,
    /// where, and what to write instead.
    #[test]
    fn other_digest_algorithms_are_refused_clearly() {
        let sha512 = format!("sha512:{}", "b".repeat(128));
        let text = format!("ghcr.io/o/app@{sha512}");
        let e = ImageRef::strict(&text).unwrap_err();
        assert!(matches!(&e, ReferenceError::UnsupportedDigest { algorithm, .. } if algorithm == "sha512"), "{e:?}");
        let message = e.to_string();
        assert!(message.contains(&format!("`{text}`")) && message.contains("sha512 digest"), "{message}");
        assert!(message.contains("sha256 digests only") && message.contains("by its tag"), "{message}");
        assert!(message.contains("imagetools inspect ghcr.io/o/app`"), "{message}");
        assert_eq!(check_digest(&format!("sha256:{}", "0".repeat(64))), Ok(()));
        assert!(
            matches!(check_digest(&sha512), Err(DigestError::Unsupported { algorithm, .. }) if algorithm == "sha512")
        );
        let blake = format!("blake3:{}", "c".repeat(64));
        assert!(matches!(check_digest(&blake), Err(DigestError::Unsupported { .. })));
        for malformed in ["sha256", "sha256:xyz", ":abc", "sha256:ABC", "1sha:0123456789abcdef0123456789abcdef"] {
            assert!(matches!(check_digest(malformed), Err(DigestError::Malformed(_))), "{malformed}");
        }
    }
}
