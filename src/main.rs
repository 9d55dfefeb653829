//! The shiplight command line: argument parsing and exit codes only.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shiplight::commands::{self, exit};
use shiplight::report::render::{self, Format};

#[derive(Parser)]
#[command(
    name = "shiplight",
    version,
    about = "Build heavy, ship light: stage-aware Dockerfile linting and image-size checks for pull requests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Lint Dockerfiles: stage-aware rules plus the classic hygiene rules (hadolint codes work).
    Lint {
        /// Dockerfiles, or directories to search for Dockerfile, Dockerfile.*, *.Dockerfile, Containerfile; `-` reads stdin.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Configuration file (default: the nearest .shiplight.yml or .hadolint.yaml).
        #[arg(long)]
        config: Option<PathBuf>,
        /// The stage that ships (repeatable; default: the last stage).
        #[arg(long = "target")]
        targets: Vec<String>,
    },
    /// Build the head and base images on one Docker daemon and compare their sizes.
    Compare {
        /// The Dockerfile to build.
        #[arg(long, default_value = "Dockerfile")]
        dockerfile: PathBuf,
        /// Build context (default: the Dockerfile's folder).
        #[arg(long)]
        context: Option<PathBuf>,
        /// Build the base from this commit (its tree is read with git archive).
        #[arg(long, conflicts_with = "base_image")]
        base_ref: Option<String>,
        /// Compare with an image already on the daemon instead of building the base.
        #[arg(long)]
        base_image: Option<String>,
        #[arg(long)]
        target: Option<String>,
        #[arg(long)]
        platform: Option<String>,
        /// KEY=VALUE, repeatable.
        #[arg(long = "build-arg", value_parser = parse_build_arg)]
        build_args: Vec<(String, String)>,
        /// The image's key in the report (default: the Dockerfile's folder name).
        #[arg(long)]
        name: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: CompareFormat,
        /// Fail when the image grows by more than this (bytes, or with kB/MB/GB).
        #[arg(long, value_parser = parse_size)]
        fail_on_increase_bytes: Option<u64>,
        #[arg(long)]
        fail_on_increase_percent: Option<f64>,
        #[arg(long)]
        warn_on_increase_percent: Option<f64>,
        /// Fail when the head image is larger than this (bytes, or with kB/MB/GB).
        #[arg(long, value_parser = parse_size)]
        max_size: Option<u64>,
        /// Per-build timeout in seconds.
        #[arg(long, default_value_t = 3600)]
        timeout: u64,
        /// Print the build output, prefixed [head] / [base], on stderr.
        #[arg(long, short)]
        verbose: bool,
    },
    /// Measure an image on the daemon: size, compressed size, layers, wasted bytes (like `dive --ci`).
    Measure {
        image: String,
        #[arg(long, value_enum, default_value = "text")]
        format: CompareFormat,
        #[arg(long, default_value_t = 3600)]
        timeout: u64,
    },
    /// List the rules, or explain one (by code, name or hadolint code).
    Rules {
        rule: Option<String>,
        /// Print docs/rules.md.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CompareFormat {
    Text,
    Json,
}

fn parse_build_arg(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok((k.to_owned(), v.to_owned())),
        _ => Err(format!("`{s}` is not KEY=VALUE")),
    }
}

/// `123`, `20MB`, `1.5 GB`, `500kB` (decimal units, as docker shows sizes).
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| format!("`{s}` is not a size: write bytes or a number with kB, MB or GB"))?;
    let mult = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        _ => return Err(format!("`{s}`: unknown unit `{unit}` (use B, kB, MB or GB)")),
    };
    Ok((n * mult).round() as u64)
}

fn write_stdout(text: &str) -> bool {
    let mut stdout = anstream::stdout();
    stdout.write_all(text.as_bytes()).and_then(|_| stdout.flush()).is_ok()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint { paths, format, config, targets } => {
            let opts = commands::lint::LintOptions { paths, config, targets, cwd: None };
            match commands::lint::run(&opts) {
                Ok(report) => {
                    if format != Format::Text {
                        for w in &report.warnings {
                            eprintln!("warning: {w}");
                        }
                    }
                    let out = render::render(&report, format);
                    let mut stdout = anstream::stdout();
                    if stdout.write_all(out.as_bytes()).and_then(|_| stdout.flush()).is_err() {
                        return ExitCode::from(exit::USAGE as u8);
                    }
                    if report.failed() {
                        exit::FINDINGS
                    } else {
                        exit::OK
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::USAGE
                }
            }
        }
        Command::Compare {
            dockerfile,
            context,
            base_ref,
            base_image,
            target,
            platform,
            build_args,
            name,
            format,
            fail_on_increase_bytes,
            fail_on_increase_percent,
            warn_on_increase_percent,
            max_size,
            timeout,
            verbose,
        } => {
            use shiplight::commands::compare;
            let opts = compare::CompareOptions {
                dockerfile,
                context,
                base_ref,
                base_image,
                target,
                platform,
                build_args,
                name,
                thresholds: shiplight::image::compare::Thresholds {
                    fail_on_increase_bytes,
                    fail_on_increase_percent,
                    warn_on_increase_percent,
                    max_size,
                },
                timeout: std::time::Duration::from_secs(timeout),
                verbose,
            };
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(r) => r,
                Err(e) => {
                    eprintln!("error: cannot start the async runtime: {e}");
                    return ExitCode::from(exit::ENVIRONMENT as u8);
                }
            };
            match runtime.block_on(compare::run(&opts)) {
                Ok(report) => {
                    let out = match format {
                        CompareFormat::Text => render::compare_text(&report),
                        CompareFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
                    };
                    if !write_stdout(&out) {
                        return ExitCode::from(exit::USAGE as u8);
                    }
                    compare::exit_code(&report)
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    e.exit_code()
                }
            }
        }
        Command::Measure { image, format, timeout } => {
            let Ok(runtime) = tokio::runtime::Runtime::new() else {
                eprintln!("error: cannot start the async runtime");
                return ExitCode::from(exit::ENVIRONMENT as u8);
            };
            match runtime.block_on(shiplight::commands::measure::run(&image, std::time::Duration::from_secs(timeout))) {
                Ok(m) => {
                    let out = match format {
                        CompareFormat::Text => render::measure_text(&m),
                        CompareFormat::Json => serde_json::to_string_pretty(&m).unwrap_or_default() + "\n",
                    };
                    if write_stdout(&out) {
                        exit::OK
                    } else {
                        exit::USAGE
                    }
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::ENVIRONMENT
                }
            }
        }
        Command::Rules { rule, markdown } => match commands::rules::run(rule.as_deref(), markdown) {
            Ok(text) => {
                print!("{text}");
                exit::OK
            }
            Err(e) => {
                eprintln!("error: {e}");
                exit::USAGE
            }
        },
    };
    ExitCode::from(code as u8)
}
