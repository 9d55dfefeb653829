//! What a stage's image runs on, as far as the file says: Windows or Linux, and on Linux
//! which program `/bin/sh` is. Rules whose advice depends on it (who runs as root, whether a
//! shell-form CMD gets signals) ask here instead of matching image names each on their own.
//!
//! The evidence, read over the stage's lineage (the stages it is built FROM, then itself):
//! - the platform (`FROM --platform=windows/amd64`), the base image's name (Microsoft's
//!   Windows bases, `nanoserver`/`servercore` tags, .NET Framework images, Alpine, the Red
//!   Hat family, Debian and Ubuntu);
//! - what the file itself does: a `# escape=`` ` directive, a `SHELL` of PowerShell or
//!   `cmd`, paths with a drive letter (`C:\app`) say Windows; the package manager its RUNs
//!   call (`apk`, `dnf`/`yum`/`microdnf`, `apt-get`) says the Linux family.

use super::graph::Graph;
use super::{Body, Command, Dockerfile, ImageRef, Kind, Stage};

/// The program `/bin/sh` is, which decides what a shell-form command does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sh {
    /// Debian's and Ubuntu's dash: `sh -c 'prog args'` forks, so `prog` is not PID 1.
    Dash,
    /// bash (the Red Hat family, or a `SHELL ["/bin/bash", "-c"]`): a lone simple command is
    /// exec'd in place of the shell.
    Bash,
    /// BusyBox ash (Alpine, busybox): a lone simple command is exec'd as well.
    Busybox,
    /// Not known from the file.
    Unknown,
}

impl Sh {
    /// Whether `sh -c 'prog args'` execs `prog` in place of the shell, so it gets signals.
    pub fn execs_lone_command(self) -> bool {
        matches!(self, Sh::Bash | Sh::Busybox)
    }
}

/// The operating system of a stage's image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Os {
    /// Windows: no root user, shell form runs under `cmd /S /C` (or the SHELL set).
    Windows,
    /// Linux, with what `/bin/sh` is.
    Linux(Sh),
}

/// The operating system stage `index` runs on, from its lineage.
pub fn stage_os(df: &Dockerfile, graph: &Graph, index: usize) -> Os {
    let lineage = graph.lineage(index);
    let stages = || lineage.iter().map(|&i| &df.stages[i]);
    let root = graph.root_image(index).map(ImageRef::parse);
    if df.escape == '`'
        || stages().any(|s| s.platform.as_deref().is_some_and(|p| p.to_ascii_lowercase().starts_with("windows")))
        || stages().any(|s| ImageRef::parse(&s.base_resolved).is_windows_image())
        || stages().any(windows_content)
    {
        return Os::Windows;
    }
    // a SHELL the file sets decides over the base's /bin/sh
    let shell = stages().flat_map(|s| s.of_kind(Kind::Shell)).last().and_then(|i| i.words().first().cloned());
    if let Some(sh) = shell {
        let prog = sh.rsplit('/').next().unwrap_or_default();
        return Os::Linux(match prog {
            "bash" => Sh::Bash,
            "ash" | "busybox" => Sh::Busybox,
            "dash" => Sh::Dash,
            _ => Sh::Unknown,
        });
    }
    if let Some(sh) = root.as_ref().and_then(sh_of_image) {
        return Os::Linux(sh);
    }
    // the package manager the stage's RUNs call
    let mut found = Sh::Unknown;
    for s in stages() {
        for ins in s.of_kind(Kind::Run) {
            let Some(script) = ins.script() else { continue };
            for c in super::shell::parse(&script).commands {
                let prog = c.words.first().map(|w| w.rsplit('/').next().unwrap_or_default()).unwrap_or_default();
                match prog {
                    "apk" => found = Sh::Busybox,
                    "dnf" | "yum" | "microdnf" | "zypper" => found = Sh::Bash,
                    "apt-get" | "apt" | "dpkg" => found = Sh::Dash,
                    _ => {}
                }
            }
        }
    }
    Os::Linux(found)
}

/// `/bin/sh` of a well-known base, by its name: Alpine and busybox, the Red Hat family,
/// Debian and Ubuntu, and the official language images built on them (`python:3.12` is
/// Debian, `python:3.12-alpine` Alpine).
fn sh_of_image(r: &ImageRef) -> Option<Sh> {
    let name = r.repository.rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
    let tag = r.tag.as_deref().unwrap_or("").to_ascii_lowercase();
    let has = |s: &str, w: &str| s.split(['-', '.', '_']).any(|p| p.starts_with(w));
    if matches!(name.as_str(), "alpine" | "busybox") || has(&tag, "alpine") {
        return Some(Sh::Busybox);
    }
    const REDHAT: &[&str] = &[
        "centos",
        "rockylinux",
        "almalinux",
        "fedora",
        "ubi",
        "ubi8",
        "ubi9",
        "ubi-minimal",
        "ubi8-minimal",
        "ubi9-minimal",
        "rhel",
        "amazonlinux",
        "oraclelinux",
    ];
    if REDHAT.contains(&name.as_str()) || ["ubi", "centos", "rockylinux", "rhel", "amzn"].iter().any(|w| has(&tag, w)) {
        return Some(Sh::Bash);
    }
    const DEBIAN: &[&str] = &["debian", "ubuntu", "python", "node", "golang", "ruby", "rust", "openjdk", "php"];
    if DEBIAN.contains(&name.as_str())
        || ["bookworm", "bullseye", "buster", "trixie", "jammy", "noble", "focal", "slim"].iter().any(|w| has(&tag, w))
    {
        return Some(Sh::Dash);
    }
    None
}

/// The WORKDIR an official image sets, where its Dockerfile sets one for every tag
/// (docker-library's `php` and the PHP applications built on it, `golang`, `tomcat`, `httpd`,
/// `composer`); `None` for the others, whose WORKDIR is `/` or not known.
pub fn base_workdir(image: &str) -> Option<&'static str> {
    let r = ImageRef::parse(image);
    Some(match r.official_name()? {
        "php" | "wordpress" | "nextcloud" | "joomla" | "mediawiki" | "matomo" => "/var/www/html",
        "golang" => "/go",
        "tomcat" => "/usr/local/tomcat",
        "httpd" => "/usr/local/apache2",
        "composer" => "/app",
        _ => return None,
    })
}

impl ImageRef {
    /// Whether the name says a Windows image: Microsoft's Windows bases
    /// (`mcr.microsoft.com/windows/servercore`, `nanoserver`), a tag that names one
    /// (`…:8.0-nanoserver-ltsc2022`), .NET Framework images (Windows only), and the
    /// retired Docker Hub `microsoft/` Windows repositories (`microsoft/iis`,
    /// `microsoft/aspnet`).
    pub fn is_windows_image(&self) -> bool {
        let windows_word = |s: &str| {
            let s = s.to_ascii_lowercase();
            s.contains("nanoserver") || s.contains("servercore") || s.contains("ltsc20")
        };
        let repo = self.repository.to_ascii_lowercase();
        repo.starts_with("windows/")
            || repo == "windows"
            || (self.registry == "mcr.microsoft.com" && repo.starts_with("windows"))
            || repo.starts_with("dotnet/framework/")
            || matches!(
                repo.as_str(),
                "microsoft/iis" | "microsoft/aspnet" | "microsoft/dotnet-framework" | "microsoft/wcf"
            )
            || windows_word(&repo)
            || self.tag.as_deref().is_some_and(windows_word)
    }
}

/// Whether a stage's own instructions are Windows ones: a SHELL of PowerShell or `cmd`, a
/// RUN that calls them, or a path with a drive letter (`C:\app`, `c:/tools`).
fn windows_content(stage: &Stage) -> bool {
    let drive = |p: &str| {
        let b = p.trim_matches(['"', '\'']).as_bytes();
        b.len() >= 3 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
    };
    let windows_shell = |w: &str| {
        let w = w.to_ascii_lowercase();
        let prog = w.rsplit(['\\', '/']).next().unwrap_or_default();
        matches!(prog, "powershell" | "powershell.exe" | "pwsh.exe" | "cmd" | "cmd.exe")
    };
    stage.instructions.iter().any(|i| match &i.body {
        Body::Words(w) if matches!(i.kind, Kind::Shell | Kind::Workdir) => {
            w.first().is_some_and(|f| windows_shell(f) || drive(f))
        }
        Body::Copy { dest, .. } => drive(dest),
        Body::Run { command: Command::Exec(w), .. } => w.first().is_some_and(|f| windows_shell(f)),
        Body::Run { command: Command::Shell(s), .. } => s.split_whitespace().next().is_some_and(windows_shell),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os(text: &str) -> Os {
        let df = Dockerfile::parse(text).unwrap();
        let g = Graph::build(&df, &[]).unwrap();
        stage_os(&df, &g, df.stages.len() - 1)
    }

    #[test]
    fn windows_by_name_platform_and_content() {
        for text in [
            "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n",
            "FROM microsoft/iis\nCOPY site C:/inetpub/wwwroot\n",
            "FROM mcr.microsoft.com/dotnet/framework/runtime:4.8.1\n",
            "FROM --platform=windows/amd64 example/app:1\n",
            "# escape=`\nFROM example/base:1\n",
            "FROM example/base:1\nSHELL [\"powershell\", \"-Command\"]\n",
            "FROM example/base:1\nWORKDIR C:\\\\app\n",
            "FROM example/base:1 AS b\nFROM b\nCOPY app.exe c:/app/\n",
        ] {
            assert_eq!(os(text), Os::Windows, "{text}");
        }
    }

    #[test]
    fn the_linux_shell_by_base_shell_and_package_manager() {
        assert_eq!(os("FROM alpine:3.20\n"), Os::Linux(Sh::Busybox));
        assert_eq!(os("FROM python:3.12-alpine\n"), Os::Linux(Sh::Busybox));
        assert_eq!(os("FROM registry.access.redhat.com/ubi9/ubi-minimal:9.4\n"), Os::Linux(Sh::Bash));
        assert_eq!(os("FROM debian:12-slim\n"), Os::Linux(Sh::Dash));
        assert_eq!(os("FROM python:3.12\n"), Os::Linux(Sh::Dash));
        assert_eq!(os("FROM debian:12\nSHELL [\"/bin/bash\", \"-c\"]\n"), Os::Linux(Sh::Bash));
        assert_eq!(os("FROM example/base:1\nRUN apk add --no-cache curl\n"), Os::Linux(Sh::Busybox));
        assert_eq!(os("FROM example/base:1\nRUN microdnf install -y curl\n"), Os::Linux(Sh::Bash));
        assert_eq!(os("FROM example/base:1\n"), Os::Linux(Sh::Unknown));
    }
}
