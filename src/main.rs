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
        #[command(flatten)]
        opts: Box<shiplight::commands::compare::CompareOptions>,
        #[arg(long, value_enum, default_value = "text")]
        format: CompareFormat,
        /// With --format markdown: build the suggested rewrite and smoke-check it, as the Action does.
        #[arg(long)]
        verify: bool,
    },
    /// Suggest the multi-stage rewrite of a Dockerfile that ships its toolchain.
    Suggest {
        #[command(flatten)]
        opts: Box<shiplight::commands::suggest::SuggestOptions>,
        #[arg(long, value_enum, default_value = "diff")]
        format: SuggestFormat,
    },
    /// Measure an image on the daemon: size, compressed size, layers, wasted bytes (like `dive --ci`).
    Measure {
        image: String,
        #[arg(long, value_enum, default_value = "text")]
        format: MeasureFormat,
        #[arg(long, default_value_t = 3600)]
        timeout: u64,
        /// Skip the compressed sizes (gzip is most of the work): a waste-only pass.
        #[arg(long)]
        no_compressed: bool,
    },
    /// Which images a pull request affects, as a GitHub matrix (git only, no Docker).
    Plan {
        /// The branch or commit the pull request goes into.
        #[arg(long)]
        base_ref: String,
        #[arg(long, value_enum, default_value = "text")]
        format: PlanFormat,
    },
    /// The GitHub Action's entry point: reads the step's INPUT_* and GITHUB_* variables, lints,
    /// compares, suggests, posts the sticky comment, writes summary and outputs.
    Action,
    /// List the rules, or explain one (by code, name or hadolint code).
    Rules {
        rule: Option<String>,
        /// Print docs/rules.md.
        #[arg(long)]
        markdown: bool,
    },
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PlanFormat {
    Text,
    /// The matrix object alone
    Json,
    /// `matrix=` and `count=` appended to $GITHUB_OUTPUT
    Github,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum SuggestFormat {
    Diff,
    Json,
    Markdown,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum MeasureFormat {
    Text,
    Json,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CompareFormat {
    Text,
    Json,
    /// The pull-request comment, as the Action would post it.
    Markdown,
}

/// Run an async command on a fresh runtime.
fn block_on<T>(f: impl std::future::Future<Output = T>) -> Result<T, ExitCode> {
    match tokio::runtime::Runtime::new() {
        Ok(r) => Ok(r.block_on(f)),
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            Err(ExitCode::from(exit::ENVIRONMENT as u8))
        }
    }
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
                        for n in &report.notes {
                            eprintln!("note: {n}");
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
        Command::Compare { opts, format, verify } => {
            use shiplight::commands::compare;
            let result = match block_on(compare::run(&opts)) {
                Ok(r) => r,
                Err(code) => return code,
            };
            match result {
                Ok(report) => {
                    let out = match format {
                        CompareFormat::Text => render::compare_text(&report),
                        CompareFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
                        CompareFormat::Markdown => {
                            let preview = shiplight::commands::action::preview(&opts, report.clone(), verify);
                            match block_on(preview) {
                                Ok(Ok(body)) => body,
                                Ok(Err(e)) => {
                                    eprintln!("error: {e}");
                                    return ExitCode::from(exit::USAGE as u8);
                                }
                                Err(code) => return code,
                            }
                        }
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
        Command::Suggest { opts, format } => {
            use shiplight::commands::suggest;
            let mut s = match suggest::run(&opts) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::from(exit::USAGE as u8);
                }
            };
            if opts.verify && s.patched.is_some() {
                let original = std::fs::read_to_string(&opts.dockerfile).unwrap_or_default();
                match block_on(suggest::verify(&opts, &original, &mut s)) {
                    Ok(Ok(v)) => s.verification = Some(v),
                    Ok(Err(e)) => {
                        eprintln!("error: {e}");
                        return ExitCode::from(exit::ENVIRONMENT as u8);
                    }
                    Err(code) => return code,
                }
            }
            let verified = s.verification.as_ref().is_none_or(|v| v.verified);
            if opts.write && verified {
                if let Err(e) = suggest::write(&opts, &mut s) {
                    eprintln!("error: {e}");
                    return ExitCode::from(exit::USAGE as u8);
                }
            }
            let out = match format {
                SuggestFormat::Json => serde_json::to_string_pretty(&s).unwrap_or_default() + "\n",
                SuggestFormat::Markdown => suggest::markdown(&s),
                SuggestFormat::Diff => {
                    if let Some(why) = &s.message {
                        eprintln!("{}: no rewrite: {why}", s.dockerfile);
                    }
                    match &s.verification {
                        Some(v) if !v.verified => {
                            eprintln!("{}: not verified: {}", s.dockerfile, v.reason.as_deref().unwrap_or("?"));
                            String::new()
                        }
                        _ => s.diff.clone().unwrap_or_default(),
                    }
                }
            };
            if let Some(v) = s.verification.as_ref().filter(|v| v.verified) {
                if let (Some(a), Some(b)) = (v.original_bytes, v.patched_bytes) {
                    eprintln!("{}: verified: {a} B -> {b} B ({:+.1} %)", s.dockerfile, v.delta_percent.unwrap_or(0.0));
                }
            }
            if s.written {
                eprintln!("{}: rewritten", s.dockerfile);
            }
            if !write_stdout(&out) {
                return ExitCode::from(exit::USAGE as u8);
            }
            if verified {
                exit::OK
            } else {
                exit::FINDINGS
            }
        }
        Command::Measure { image, format, timeout, no_compressed } => {
            let timeout = std::time::Duration::from_secs(timeout);
            let result = match block_on(shiplight::commands::measure::run(&image, timeout, !no_compressed)) {
                Ok(r) => r,
                Err(code) => return code,
            };
            match result {
                Ok(m) => {
                    let out = match format {
                        MeasureFormat::Text => render::measure_text(&m),
                        MeasureFormat::Json => serde_json::to_string_pretty(&m).unwrap_or_default() + "\n",
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
        Command::Action => {
            use shiplight::commands::action;
            let inputs = match action::Inputs::from_env() {
                Ok(i) => i,
                Err(e) => {
                    println!("::error::{}", render::escape_data(&e.to_string()));
                    return ExitCode::from(exit::USAGE as u8);
                }
            };
            let runner = action::Runner::from_process();
            match block_on(action::run(&inputs, &runner)) {
                Ok(Ok(outcome)) => {
                    for line in action::log_lines(&outcome) {
                        println!("{line}");
                    }
                    outcome.exit_code
                }
                Ok(Err(e)) => {
                    println!("::error::{}", render::escape_data(&e.to_string()));
                    e.exit_code()
                }
                Err(code) => return code,
            }
        }
        Command::Plan { base_ref, format } => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            match commands::plan::plan(&cwd, &base_ref) {
                Ok(planned) => match format {
                    PlanFormat::Text => {
                        if !write_stdout(&commands::plan::text(&planned)) {
                            return ExitCode::from(exit::USAGE as u8);
                        }
                        exit::OK
                    }
                    PlanFormat::Json => {
                        if !write_stdout(&format!("{}\n", commands::plan::matrix(&planned))) {
                            return ExitCode::from(exit::USAGE as u8);
                        }
                        exit::OK
                    }
                    PlanFormat::Github => {
                        let matrix = commands::plan::matrix(&planned);
                        let count = matrix["include"].as_array().map_or(0, Vec::len);
                        let Some(path) = std::env::var_os("GITHUB_OUTPUT") else {
                            eprintln!("error: --format github writes to $GITHUB_OUTPUT, which is not set; use --format json outside Actions");
                            return ExitCode::from(exit::USAGE as u8);
                        };
                        let wrote = std::fs::OpenOptions::new()
                            .append(true)
                            .create(true)
                            .open(&path)
                            .and_then(|mut f| writeln!(f, "matrix={matrix}\ncount={count}"));
                        if let Err(e) = wrote {
                            eprintln!(
                                "error: cannot append to $GITHUB_OUTPUT ({}): {e}",
                                PathBuf::from(path).display()
                            );
                            return ExitCode::from(exit::ENVIRONMENT as u8);
                        }
                        eprint!("{}", commands::plan::text(&planned));
                        exit::OK
                    }
                },
                Err(e) => {
                    eprintln!("error: {e}");
                    e.exit_code()
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
