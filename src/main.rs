//! The shiplight command line: argument parsing and exit codes only.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use shiplight::commands;
use shiplight::report::render::Format;

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
        /// Apply the fixes shiplight proved (each re-linted: its finding gone, none new) to the
        /// files, then report what is left. Without it no file is written.
        #[arg(long)]
        fix: bool,
    },
    /// Build the head and base images on one Docker daemon and compare their sizes.
    Compare {
        #[command(flatten)]
        opts: Box<shiplight::pipeline::compare::CompareOptions>,
        #[arg(long, value_enum, default_value = "text")]
        format: commands::compare::CompareFormat,
        /// With --format markdown: build the suggested rewrite and smoke-check it, as the Action does.
        #[arg(long)]
        verify: bool,
    },
    /// Suggest the multi-stage rewrite of a Dockerfile that ships its toolchain.
    Suggest {
        #[command(flatten)]
        opts: Box<shiplight::pipeline::suggest::SuggestOptions>,
        #[arg(long, value_enum, default_value = "diff")]
        format: commands::suggest::SuggestFormat,
    },
    /// Measure an image where it is (the daemon, a registry, an OCI layout, an archive): size,
    /// compressed size, layers, wasted bytes (like `dive --ci`).
    Measure(commands::measure::MeasureArgs),
    /// What runs inside the helper container that reads a daemon's layer folders in place
    /// (shiplight starts it; not for direct use).
    #[command(hide = true, name = "layer-scan")]
    LayerScan {
        /// The image config file.
        #[arg(long)]
        config: Option<PathBuf>,
        /// A layer: DIR/meta (its layer database entry) and DIR/diff (its files); repeatable.
        #[arg(long = "layer")]
        layers: Vec<PathBuf>,
        /// Also gzip every layer (reads every byte).
        #[arg(long)]
        compressed: bool,
    },
    /// Which images a pull request affects, as a GitHub matrix (git only, no Docker).
    Plan {
        /// The branch or commit the pull request goes into.
        #[arg(long)]
        base_ref: String,
        #[arg(long, value_enum, default_value = "text")]
        format: commands::plan::PlanFormat,
    },
    /// The GitHub Action's entry point: reads the step's INPUT_* and GITHUB_* variables, lints,
    /// compares, suggests, posts the sticky comment, writes summary and outputs.
    Action,
    /// What ships of every Dockerfile of a repository: each stage's role (ships, development,
    /// ci-only, toolchain-product) and the evidence, from its workflows, bake, compose and dev
    /// container files.
    Ships {
        /// A folder of the repository (default: the current one).
        #[arg(default_value = ".")]
        path: PathBuf,
        #[arg(long, value_enum, default_value = "text")]
        format: commands::ships::ShipsFormat,
    },
    /// List the rules, or explain one (by code, name or hadolint code).
    Rules {
        rule: Option<String>,
        /// Print docs/rules.md.
        #[arg(long)]
        markdown: bool,
    },
}

fn main() -> ExitCode {
    let code = match Cli::parse().command {
        Command::Lint { paths, format, config, targets, fix } => {
            commands::lint::main(paths, format, config, targets, fix)
        }
        Command::Compare { opts, format, verify } => commands::compare::main(&opts, format, verify),
        Command::Suggest { opts, format } => commands::suggest::main(&opts, format),
        Command::Measure(args) => commands::measure::main(&args),
        Command::LayerScan { config, layers, compressed } => {
            commands::measure::layer_scan(config.as_deref(), &layers, compressed)
        }
        Command::Plan { base_ref, format } => commands::plan::main(&base_ref, format),
        Command::Action => commands::action::main(),
        Command::Ships { path, format } => commands::ships::main(&path, format),
        Command::Rules { rule, markdown } => commands::rules::main(rule.as_deref(), markdown),
    };
    ExitCode::from(code as u8)
}
