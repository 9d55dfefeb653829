//! Where an image is: the daemon's store, a registry, an OCI layout folder or a `docker save`
//! archive. The prefixes are Docker Scout's, so users already know them.

use std::fmt;
use std::path::PathBuf;

/// An image to measure, as the user named it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSource {
    /// `local://NAME`: the daemon's image store.
    Local(String),
    /// `registry://REF`: read through the OCI Distribution API, never pulled into a daemon.
    Registry(String),
    /// `oci-dir://PATH[:TAG]`: an OCI image layout folder (`buildx --output type=oci,tar=false`,
    /// `skopeo copy … oci:PATH:TAG`).
    OciDir { path: PathBuf, tag: Option<String> },
    /// `archive://FILE`: a `docker save` tarball (legacy or OCI layout inside).
    Archive(PathBuf),
    /// A bare reference: the daemon's store when the image is there, else the registry.
    Either(String),
}

impl ImageSource {
    /// Read `text` as the user wrote it; an empty name after a prefix is refused.
    pub fn parse(text: &str) -> Result<ImageSource, String> {
        let text = text.trim();
        let nonempty = |rest: &str, what: &str| {
            if rest.is_empty() {
                Err(format!("`{text}` names no {what}; write e.g. {}", example(what)))
            } else {
                Ok(rest.to_owned())
            }
        };
        if let Some(rest) = text.strip_prefix("local://") {
            return nonempty(rest, "image").map(ImageSource::Local);
        }
        if let Some(rest) = text.strip_prefix("registry://") {
            return nonempty(rest, "reference").map(ImageSource::Registry);
        }
        if let Some(rest) = text.strip_prefix("oci-dir://") {
            let rest = nonempty(rest, "folder")?;
            // PATH:TAG, where a colon inside the path (no tag) is kept when the whole exists
            let (path, tag) = match rest.rsplit_once(':') {
                Some((p, t)) if !p.is_empty() && !t.contains('/') && !std::path::Path::new(&rest).exists() => {
                    (p.to_owned(), Some(t.to_owned()))
                }
                _ => (rest, None),
            };
            return Ok(ImageSource::OciDir { path: PathBuf::from(path), tag });
        }
        if let Some(rest) = text.strip_prefix("archive://") {
            return nonempty(rest, "file").map(|p| ImageSource::Archive(PathBuf::from(p)));
        }
        if let Some((scheme, _)) = text.split_once("://") {
            return Err(format!(
                "`{text}`: unknown image source `{scheme}://`; use local://, registry://, oci-dir:// or archive://, or a bare reference"
            ));
        }
        nonempty(text, "image").map(ImageSource::Either)
    }
}

fn example(what: &str) -> &'static str {
    match what {
        "folder" => "oci-dir://./out:app",
        "file" => "archive://app.tar",
        _ => "registry://ghcr.io/OWNER/app:main",
    }
}

impl fmt::Display for ImageSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageSource::Local(n) => write!(f, "local://{n}"),
            ImageSource::Registry(r) => write!(f, "registry://{r}"),
            ImageSource::OciDir { path, tag: Some(t) } => write!(f, "oci-dir://{}:{t}", path.display()),
            ImageSource::OciDir { path, tag: None } => write!(f, "oci-dir://{}", path.display()),
            ImageSource::Archive(p) => write!(f, "archive://{}", p.display()),
            ImageSource::Either(r) => f.write_str(r),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes() {
        assert_eq!(ImageSource::parse("local://app:1").unwrap(), ImageSource::Local("app:1".into()));
        assert_eq!(
            ImageSource::parse("registry://127.0.0.1:5000/app:pr").unwrap(),
            ImageSource::Registry("127.0.0.1:5000/app:pr".into())
        );
        assert_eq!(
            ImageSource::parse("oci-dir://out/app:v1").unwrap(),
            ImageSource::OciDir { path: "out/app".into(), tag: Some("v1".into()) }
        );
        assert_eq!(ImageSource::parse("oci-dir://out").unwrap(), ImageSource::OciDir { path: "out".into(), tag: None });
        assert_eq!(ImageSource::parse("archive://a.tar").unwrap(), ImageSource::Archive("a.tar".into()));
        assert_eq!(ImageSource::parse("python:3.9").unwrap(), ImageSource::Either("python:3.9".into()));
        let e = ImageSource::parse("docker://x").unwrap_err();
        assert!(e.contains("unknown image source `docker://`"), "{e}");
        assert!(ImageSource::parse("registry://").unwrap_err().contains("names no reference"));
        assert_eq!(ImageSource::parse("oci-dir://out/app:v1").unwrap().to_string(), "oci-dir://out/app:v1");
    }
}
