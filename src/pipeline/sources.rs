//! Measure an image wherever it already is ([`ImageSource`]): the daemon's store, a registry,
//! an OCI layout folder or a `docker save` archive. Registry and layout images may have several
//! platforms; each is measured on its own.

use std::time::Duration;

use crate::image::docker::engine::{Engine, EngineError};
use crate::image::measure::{self, Source};
use crate::image::oci::{self, layout::Layout, registry, OciError, Platforms};
use crate::image::source::ImageSource;
use crate::image::ImageMeasure;
use crate::reference::ImageRef;

/// How to read sources: which daemon (connected on first need), which registries, and what.
pub struct Reader {
    engine: Option<Engine>,
    timeout: Duration,
    pub registry: registry::Options,
    pub platforms: Platforms,
    /// Read manifests only, no layer (registry and layout images).
    pub sizes_only: bool,
    /// Estimate a daemon image's compressed size by gzipping its layers (the slow part of a
    /// scan; `measure --no-compressed` turns it off).
    pub gzip_estimate: bool,
}

/// What was found: one measure per platform (one for a daemon image or an archive).
#[derive(Debug)]
pub struct Found {
    pub images: Vec<ImageMeasure>,
    /// The source was an index (so each image's platform names it in reports).
    pub from_index: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The image does not exist there (a base tag not pushed yet, a missing file).
    #[error("{0}")]
    Missing(String),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("{0}")]
    Oci(OciError),
}

impl From<OciError> for SourceError {
    fn from(e: OciError) -> SourceError {
        match e {
            OciError::NotFound { .. } => SourceError::Missing(e.to_string()),
            OciError::Usage(m) => SourceError::Usage(m),
            e => SourceError::Oci(e),
        }
    }
}

impl SourceError {
    pub fn exit_code(&self) -> i32 {
        match self {
            SourceError::Usage(_) => crate::exit::USAGE,
            _ => crate::exit::ENVIRONMENT,
        }
    }
}

impl Reader {
    pub fn new(engine: Option<Engine>, timeout: Duration) -> Reader {
        Reader {
            engine,
            timeout,
            registry: registry::Options { login: oci::auth::Login::from_env(), insecure: Vec::new() },
            platforms: Platforms::All,
            sizes_only: false,
            gzip_estimate: true,
        }
    }

    async fn engine(&mut self) -> Result<&Engine, EngineError> {
        if self.engine.is_none() {
            self.engine = Some(Engine::connect(self.timeout).await?);
        }
        Ok(self.engine.as_ref().expect("connected above"))
    }

    /// Measure `src`. `dockerfile` attributes layers to lines when the image was built from it.
    pub async fn measure(&mut self, src: &ImageSource, dockerfile: Option<Source<'_>>) -> Result<Found, SourceError> {
        let mut found = match src {
            // the daemon attributes its own images (and marks what the FROM image brought)
            ImageSource::Local(name) => return self.local(name, dockerfile).await,
            ImageSource::Either(name) => {
                // the daemon first, when it answers and has the image; else the registry
                let daemon = match self.engine().await {
                    Ok(e) => Ok(e.exists(name).await),
                    Err(e) => Err(e),
                };
                match daemon {
                    Ok(true) => return self.local(name, dockerfile).await,
                    Ok(false) => self.registry(name).await.map_err(|e| match e {
                        SourceError::Missing(why) => {
                            SourceError::Missing(format!("{name} is not on the Docker daemon, and {why}"))
                        }
                        e => e,
                    })?,
                    // no daemon: the registry may still have it; if not, the daemon's
                    // trouble is what the user needs to hear first
                    Err(engine) => self.registry(name).await.map_err(|registry| {
                        SourceError::Oci(OciError::Transport(format!(
                            "{engine}\n(and {name} could not be read from its registry either: {registry})"
                        )))
                    })?,
                }
            }
            ImageSource::Registry(reference) => self.registry(reference).await?,
            ImageSource::OciDir { path, tag } => {
                let (path, tag, platforms, sizes_only) =
                    (path.clone(), tag.clone().unwrap_or_default(), self.platforms.clone(), self.sizes_only);
                let shown = src.to_string();
                blocking(move || {
                    let store = Layout::open(&path)?;
                    read_store(&store, &tag, &shown, &platforms, sizes_only, "oci-dir")
                })
                .await?
            }
            ImageSource::Archive(path) => {
                if !path.is_file() {
                    return Err(SourceError::Missing(format!("the archive {} does not exist", path.display())));
                }
                let (p, shown) = (path.clone(), src.to_string());
                let m = blocking(move || {
                    measure::measure_archive(&p, &shown).map_err(|e| {
                        OciError::Format(format!("{} is not a readable `docker save` archive: {e}", p.display()))
                    })
                })
                .await?;
                Found { images: vec![ImageMeasure { source: Some("archive".into()), ..m }], from_index: false }
            }
        };
        if let Some(s) = dockerfile {
            for m in &mut found.images {
                m.from_image = s.graph.root_image(s.graph.targets[0]).map(str::to_owned);
                crate::image::attribute::attribute(&mut m.layers, s.dockerfile, s.graph);
            }
        }
        Ok(found)
    }

    async fn local(&mut self, name: &str, dockerfile: Option<Source<'_>>) -> Result<Found, SourceError> {
        let gzip = self.gzip_estimate;
        let engine = self.engine().await?;
        if !engine.exists(name).await {
            return Err(SourceError::Missing(format!(
                "{name} is not on the Docker daemon at {}; build or pull it, or name it registry://{name}",
                engine.host()
            )));
        }
        let mut m = measure::measure_with(engine, name, dockerfile, gzip).await?;
        m.source = Some("daemon".into());
        Ok(Found { images: vec![m], from_index: false })
    }

    async fn registry(&mut self, text: &str) -> Result<Found, SourceError> {
        let reference = ImageRef::strict(text).map_err(|e| SourceError::Usage(e.to_string()))?;
        let (opts, platforms, sizes_only) = (self.registry.clone(), self.platforms.clone(), self.sizes_only);
        let shown = reference.to_string();
        blocking(move || {
            let store = registry::Registry::connect(&reference, &opts)?;
            read_store(&store, reference.target(), &shown, &platforms, sizes_only, "registry")
        })
        .await
    }
}

fn read_store(
    store: &dyn oci::Store,
    target: &str,
    shown: &str,
    platforms: &Platforms,
    sizes_only: bool,
    kind: &str,
) -> Result<Found, OciError> {
    let resolved = oci::resolve(store, target, platforms)?;
    let from_index = resolved.iter().any(|r| r.from_index);
    let mut images = Vec::with_capacity(resolved.len());
    for r in &resolved {
        let mut m = oci::measure(store, r, shown, sizes_only)?;
        m.source = Some(kind.to_owned());
        images.push(m);
    }
    Ok(Found { images, from_index })
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, OciError> + Send + 'static,
) -> Result<T, SourceError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| SourceError::Oci(OciError::Transport(format!("the reader stopped: {e}"))))?
        .map_err(SourceError::from)
}
