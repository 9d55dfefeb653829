//! `shiplight measure IMAGE`: size, pull cost, layers and waste of an image on the daemon.

use std::time::Duration;

use crate::image::engine::{Engine, EngineError};
use crate::image::{measure, ImageMeasure};

/// Measure one image that is already on the daemon.
pub async fn run(image: &str, timeout: Duration, compressed: bool) -> Result<ImageMeasure, EngineError> {
    let engine = Engine::connect(timeout).await?;
    if !engine.exists(image).await {
        return Err(EngineError::Api {
            what: format!("measuring {image}"),
            message: "no such image on this daemon (shiplight does not pull); build or pull it first".into(),
        });
    }
    measure::measure_with(&engine, image, None, compressed).await
}
