//! Image references for the Distribution API: [`ImageRef`] (the Dockerfile's parser, which
//! already splits `[REGISTRY/]REPOSITORY[:TAG][@DIGEST]` as Docker does) checked strictly,
//! plus what a registry request needs.

use std::fmt;

pub use crate::dockerfile::ImageRef as Reference;

impl Reference {
    /// [`Reference::parse`], refusing what no registry would accept.
    pub fn strict(text: &str) -> Result<Reference, String> {
        let bad = |why: &str| Err(format!("`{text}` is not an image reference: {why}"));
        let r = Reference::parse(text.trim());
        if let Some(d) = &r.digest {
            if !d.starts_with("sha256:") || d.len() != 71 || !d[7..].bytes().all(|b| b.is_ascii_hexdigit()) {
                return bad("a digest is sha256: and 64 hex digits");
            }
        }
        if r.repository.is_empty()
            || r.repository.starts_with('/')
            || r.repository.ends_with('/')
            || r.repository.contains("//")
        {
            return bad("the repository name is empty or has an empty component");
        }
        if let Some(t) = &r.tag {
            if t.is_empty() || t.len() > 128 || !t.bytes().all(|b| b.is_ascii_alphanumeric() || b"_.-".contains(&b)) {
                return bad("a tag is letters, digits, `_`, `.` and `-`");
            }
        }
        if r.repository.bytes().any(|b| b.is_ascii_uppercase()) {
            return bad("a repository name is lower case");
        }
        Ok(r)
    }

    /// The host the Distribution API is on.
    pub fn api_host(&self) -> &str {
        match self.registry.as_str() {
            "docker.io" | "index.docker.io" => "registry-1.docker.io",
            r => r,
        }
    }

    /// What a manifest request names: the digest when there is one, else the tag.
    pub fn target(&self) -> &str {
        self.digest.as_deref().or(self.tag.as_deref()).unwrap_or("latest")
    }

    /// The same repository at another digest.
    pub fn at(&self, digest: &str) -> Reference {
        Reference { digest: Some(digest.to_owned()), ..self.clone() }
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

impl fmt::Display for Reference {
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

    #[test]
    fn docker_hub_defaults() {
        let r = Reference::strict("python:3.9").unwrap();
        assert_eq!(
            (r.registry.as_str(), r.repository.as_str(), r.tag.as_deref()),
            ("docker.io", "library/python", Some("3.9"))
        );
        assert_eq!(r.api_host(), "registry-1.docker.io");
        assert_eq!(r.target(), "3.9");
        let r = Reference::strict("bitnami/redis").unwrap();
        assert_eq!((r.repository.as_str(), r.target()), ("bitnami/redis", "latest"));
    }

    #[test]
    fn hosts_ports_and_digests() {
        let d = format!("sha256:{}", "a".repeat(64));
        let r = Reference::strict(&format!("127.0.0.1:5000/team/app:pr-7@{d}")).unwrap();
        assert_eq!(r.registry, "127.0.0.1:5000");
        assert_eq!(r.repository, "team/app");
        assert_eq!(r.tag.as_deref(), Some("pr-7"));
        assert_eq!(r.target(), d);
        assert_eq!(r.host_name(), "127.0.0.1");
        assert_eq!(Reference::strict("localhost/app").unwrap().registry, "localhost");
        assert_eq!(Reference::strict("ghcr.io/o/app:main").unwrap().to_string(), "ghcr.io/o/app:main");
        assert!(Reference::strict("app@sha256:12").unwrap_err().contains("64 hex"));
        assert!(Reference::strict("Team/App").unwrap_err().contains("lower case"));
        assert!(Reference::strict("a//b").is_err());
    }
}
