//! `shiplight measure IMAGE`: size, pull cost, layers and waste of an image wherever it is.

use super::{block_on, exit, write_stdout};
use crate::pipeline::measure;
use crate::report::render;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum MeasureFormat {
    Text,
    Json,
}

/// What `shiplight measure` was asked.
#[derive(Debug, Clone, clap::Args)]
pub struct MeasureArgs {
    /// The image: NAME on the daemon, or registry://REF, oci-dir://PATH[:TAG],
    /// archive://FILE, local://NAME (a bare NAME not on the daemon is read from its registry).
    pub image: String,
    #[arg(long, value_enum, default_value = "text")]
    pub format: MeasureFormat,
    #[arg(long, default_value_t = 3600)]
    pub timeout: u64,
    /// Skip the compressed sizes (gzip is most of the work): a waste-only pass.
    #[arg(long)]
    pub no_compressed: bool,
    /// Also list the image's packages (deb, apk, pip, npm, Go), each with its bytes and layer.
    #[arg(long)]
    pub packages: bool,
    /// Which platforms of a multi-platform image: `all` (default) or a comma-separated list.
    #[arg(long, default_value = "all")]
    pub platform: String,
    /// Keep layer scans here (default $SHIPLIGHT_CACHE_DIR, else ~/.cache/shiplight).
    #[arg(long)]
    pub cache_dir: Option<std::path::PathBuf>,
}

pub fn main(args: &MeasureArgs) -> i32 {
    let timeout = std::time::Duration::from_secs(args.timeout);
    let platforms = match crate::image::oci::Platforms::parse(&args.platform) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("error: --platform: {e}");
            return exit::USAGE;
        }
    };
    if let Some(dir) = &args.cache_dir {
        crate::image::cache::set_dir(dir.clone());
    }
    let result = match block_on(measure::run(&args.image, timeout, !args.no_compressed, platforms)) {
        Ok(r) => r,
        Err(code) => return code,
    };
    match result {
        Ok(mut images) => {
            for m in &mut images {
                if !args.packages {
                    m.packages = None;
                }
            }
            let out = match (args.format, images.as_slice()) {
                (MeasureFormat::Text, _) => images.iter().map(render::measure_text).collect::<Vec<_>>().join("\n"),
                // one image: the object; several platforms: an array of them
                (MeasureFormat::Json, [one]) => serde_json::to_string_pretty(one).unwrap_or_default() + "\n",
                (MeasureFormat::Json, all) => serde_json::to_string_pretty(all).unwrap_or_default() + "\n",
            };
            if write_stdout(&out) {
                exit::OK
            } else {
                exit::USAGE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            e.exit_code()
        }
    }
}

/// `shiplight layer-scan`, inside the helper container: the scans as one JSON document on
/// stdout; a failure on stderr and exit code 1 (the caller then reads the export).
pub fn layer_scan(config: Option<&std::path::Path>, layers: &[std::path::PathBuf], compressed: bool) -> i32 {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match crate::image::measure::helper_main(config, layers, compressed, &mut out) {
        Ok(()) => exit::OK,
        Err(e) => {
            eprintln!("error: layer-scan: {e}");
            exit::ENVIRONMENT
        }
    }
}
