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
    /// List the rules, or explain one (by code, name or hadolint code).
    Rules {
        rule: Option<String>,
        /// Print docs/rules.md.
        #[arg(long)]
        markdown: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let code = match cli.command {
        Command::Lint {
            paths,
            format,
            config,
            targets,
        } => {
            let opts = commands::lint::LintOptions {
                paths,
                config,
                targets,
                cwd: None,
            };
            match commands::lint::run(&opts) {
                Ok(report) => {
                    if format != Format::Text {
                        for w in &report.warnings {
                            eprintln!("warning: {w}");
                        }
                    }
                    let out = render::render(&report, format);
                    let mut stdout = anstream::stdout();
                    if stdout
                        .write_all(out.as_bytes())
                        .and_then(|_| stdout.flush())
                        .is_err()
                    {
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
        Command::Rules { rule, markdown } => {
            match commands::rules::run(rule.as_deref(), markdown) {
                Ok(text) => {
                    print!("{text}");
                    exit::OK
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    exit::USAGE
                }
            }
        }
    };
    ExitCode::from(code as u8)
}
