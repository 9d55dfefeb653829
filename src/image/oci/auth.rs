//! Which credential a registry request carries, found as Docker's clients find it:
//! 1. explicit credentials for that registry (the Action's `registry-username`/`-password`,
//!    `SHIPLIGHT_REGISTRY_USERNAME`/`_PASSWORD`), which go to that registry only;
//! 2. `$DOCKER_CONFIG/config.json` (default `~/.docker`): `credHelpers`, `credsStore`, `auths`;
//! 3. for ghcr.io, the GitHub token (`github-token`, `GITHUB_TOKEN`);
//! 4. none: the anonymous token flow (Docker Hub and public ghcr.io images).
//!
//! Secrets are never printed: [`Credential`]'s `Display` and `Debug` name where a credential
//! came from, never what it is.

use std::fmt;

/// A credential and where it came from.
#[derive(Clone, Default)]
pub enum Credential {
    #[default]
    Anonymous,
    Basic {
        username: String,
        password: String,
        from: String,
    },
    /// An OAuth2 refresh token (`identitytoken` in config.json, from `docker login` to some
    /// registries), exchanged at the token endpoint.
    IdentityToken {
        token: String,
        from: String,
    },
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Credential::Anonymous => f.write_str("no credentials (anonymous)"),
            Credential::Basic { username, from, .. } => write!(f, "user `{username}` from {from}"),
            Credential::IdentityToken { from, .. } => write!(f, "an identity token from {from}"),
        }
    }
}

impl fmt::Debug for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// What the user gave for registries.
#[derive(Debug, Clone, Default)]
pub struct Login {
    /// The registry explicit credentials are for (`ghcr.io`, `127.0.0.1:5000`).
    pub registry: Option<String>,
    pub username: Option<String>,
    pub password: Option<String>,
    /// The GitHub token, offered to ghcr.io when nothing else is set.
    pub github_token: Option<String>,
}

impl Login {
    /// Explicit credentials from the environment (`SHIPLIGHT_REGISTRY_USERNAME`,
    /// `SHIPLIGHT_REGISTRY_PASSWORD`) and the GitHub token (`GITHUB_TOKEN`).
    pub fn from_env() -> Login {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Login {
            registry: None,
            username: var("SHIPLIGHT_REGISTRY_USERNAME"),
            password: var("SHIPLIGHT_REGISTRY_PASSWORD"),
            github_token: var("GITHUB_TOKEN"),
        }
    }
}

/// The credential for `registry` (as a reference names it: `docker.io`, `ghcr.io`,
/// `127.0.0.1:5000`).
pub fn credential(registry: &str, login: &Login) -> Result<Credential, String> {
    credential_in(registry, login, crate::image::docker::endpoint::docker_config_dir().as_deref())
}

/// [`credential`], with the docker CLI's configuration in `config_dir`.
pub fn credential_in(
    registry: &str,
    login: &Login,
    config_dir: Option<&std::path::Path>,
) -> Result<Credential, String> {
    if let (Some(u), Some(p)) = (&login.username, &login.password) {
        if login.registry.as_deref().is_none_or(|r| r == registry) {
            return Ok(Credential::Basic {
                username: u.clone(),
                password: p.clone(),
                from: "the registry-username/registry-password given".into(),
            });
        }
    }
    // Docker Hub's credentials are kept under its v1 index address
    let server = if registry == "docker.io" { "https://index.docker.io/v1/" } else { registry };
    let file = config_dir.map(|d| d.join("config.json"));
    let config = file.as_ref().map(|f| f.display().to_string()).unwrap_or_else(|| "config.json".into());
    let found = match file.as_ref().and_then(|f| std::fs::File::open(f).ok()) {
        Some(f) => docker_credential::get_credential_from_reader(std::io::BufReader::new(f), server),
        None => Err(docker_credential::CredentialRetrievalError::ConfigNotFound),
    };
    match found {
        Ok(docker_credential::DockerCredential::UsernamePassword(username, password)) => {
            return Ok(Credential::Basic { username, password, from: format!("{config} for {server}") })
        }
        Ok(docker_credential::DockerCredential::IdentityToken(token)) => {
            return Ok(Credential::IdentityToken { token, from: format!("{config} for {server}") })
        }
        Err(docker_credential::CredentialRetrievalError::HelperFailure { helper, stderr, .. }) => {
            return Err(format!(
                "the credential helper docker-credential-{helper} named in {config} failed for {server}: {}",
                stderr.trim()
            ))
        }
        Err(_) => {}
    }
    if registry == "ghcr.io" {
        if let Some(token) = &login.github_token {
            let username =
                std::env::var("GITHUB_ACTOR").ok().filter(|a| !a.is_empty()).unwrap_or_else(|| "token".into());
            return Ok(Credential::Basic { username, password: token.clone(), from: "the GitHub token".into() });
        }
    }
    Ok(Credential::Anonymous)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_credentials_go_to_their_registry_only_and_never_print() {
        let login = Login {
            registry: Some("127.0.0.1:5000".into()),
            username: Some("ci".into()),
            password: Some("s3cret".into()),
            github_token: None,
        };
        let c = credential("127.0.0.1:5000", &login).unwrap();
        let shown = format!("{c} {c:?}");
        assert!(shown.contains("user `ci`") && !shown.contains("s3cret"), "{shown}");
        // another registry does not get them
        let dir = tempfile::tempdir().unwrap();
        let c = credential_in("quay.io", &login, Some(dir.path())).unwrap();
        assert!(matches!(c, Credential::Anonymous), "{c}");
    }

    #[test]
    fn config_json_auths_then_github_token_for_ghcr() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("config.json"), r#"{"auths":{"registry.example":{"auth":"dXNlcjpwYXNz"}}}"#)
            .unwrap();
        let login = Login { github_token: Some("ghs_x".into()), ..Login::default() };
        let a = credential_in("registry.example", &login, Some(dir.path())).unwrap();
        let g = credential_in("ghcr.io", &login, Some(dir.path())).unwrap();
        assert!(
            matches!(&a, Credential::Basic { username, password, .. } if username == "user" && password == "pass"),
            "{a}"
        );
        assert!(a.to_string().contains("config.json"), "{a}");
        assert!(matches!(&g, Credential::Basic { from, .. } if from == "the GitHub token"), "{g}");
    }
}
