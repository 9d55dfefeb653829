//! `shiplight measure IMAGE`: size, pull cost, layers and waste of an image that exists: on
//! the daemon, in a registry, an OCI layout or an archive (see [`ImageSource`]).

use std::time::Duration;

use crate::image::oci::Platforms;
use crate::image::source::ImageSource;
use crate::image::ImageMeasure;
use crate::pipeline::sources::{Reader, SourceError};

/// Measure one image, one entry per platform for an index. `compressed: false` skips the
/// gzip estimate of a daemon image (a waste-only pass); images read elsewhere carry their
/// manifest's compressed sizes anyway.
pub async fn run(
    image: &str,
    timeout: Duration,
    compressed: bool,
    platforms: Platforms,
) -> Result<Vec<ImageMeasure>, SourceError> {
    let src = ImageSource::parse(image).map_err(SourceError::Usage)?;
    let mut reader = Reader::new(None, timeout);
    reader.platforms = platforms;
    reader.gzip_estimate = compressed;
    Ok(reader.measure(&src, None).await?.images)
}
