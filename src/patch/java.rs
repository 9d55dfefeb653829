//! Java: build with javac/jar, Maven or Gradle on the JDK image; the runtime is the Eclipse
//! Temurin JRE of the same Java version with what the build produced: the jar of
//! `jar c…f PATH`, Maven's `target/` or Gradle's `build/libs/` (copied whole, so the paths in
//! CMD stay right). Other RUNs before the build run in both stages; mixed RUNs are refused.

use super::{Outcome, Plan, Rationale, Reason, RunKind as Run};
use crate::dockerfile::edit::Edit;
use crate::dockerfile::packages::is_toolchain_package;
use crate::dockerfile::roles;
use crate::dockerfile::shell::{self, SimpleCommand};
use crate::dockerfile::{Dockerfile, ImageRef};

fn build_step(c: &SimpleCommand) -> bool {
    matches!(c.program(), "javac" | "jar" | "mvn" | "mvnw" | "gradle" | "gradlew")
        || roles::installs_only(c, is_toolchain_package)
        || roles::is_clean(c)
}

fn classify(script: &str) -> Run {
    super::classify_run(script, build_step)
}

/// What a build RUN produces, relative to its WORKDIR: the jar, or the build tool's folder.
fn artifact(script: &str) -> Option<String> {
    let parsed = shell::parse(script);
    parsed.commands.iter().rev().find_map(|c| match c.program() {
        "jar" => {
            let args = c.args();
            let opts = args.first()?.trim_start_matches('-');
            (opts.starts_with('c') && opts.contains('f')).then(|| args.get(1).cloned()).flatten()
        }
        "mvn" | "mvnw" => Some(maven_target(c.args())),
        "gradle" | "gradlew" => Some(gradle_output(c.args())),
        _ => None,
    })
}

/// Maven's output folder: `target` of the project it is pointed at (`-f app/pom.xml`,
/// `--file=app`), else of the folder it runs in.
fn maven_target(args: &[String]) -> String {
    let file = args
        .windows(2)
        .find(|w| w[0] == "-f" || w[0] == "--file")
        .map(|w| w[1].as_str())
        .or_else(|| args.iter().find_map(|a| a.strip_prefix("--file=")));
    match file.map(|f| f.strip_suffix("pom.xml").unwrap_or(f).trim_end_matches('/')) {
        Some(dir) if !dir.is_empty() && dir != "." => format!("{dir}/target"),
        _ => "target".into(),
    }
}

/// Gradle's output folder for the tasks it runs: `build/install` for the application
/// plugin's `installDist`, `build/distributions` for `distZip`/`distTar`, else the jars'
/// `build/libs`; in the subproject a task names (`:app:installDist` → `app/build/install`).
fn gradle_output(args: &[String]) -> String {
    let tasks: Vec<&str> = args.iter().map(String::as_str).filter(|a| !a.starts_with('-')).collect();
    let folder = |task: &str| {
        let name = task.rsplit(':').next().unwrap_or(task);
        if name.starts_with("install") && name.ends_with("Dist") {
            Some("build/install")
        } else if matches!(name, "distZip" | "distTar" | "assembleDist") {
            Some("build/distributions")
        } else {
            None
        }
    };
    let (task, out) = tasks
        .iter()
        .find_map(|t| folder(t).map(|f| (*t, f)))
        .unwrap_or((tasks.first().copied().unwrap_or(""), "build/libs"));
    let project: Vec<&str> = task.split(':').filter(|p| !p.is_empty()).collect();
    match project.split_last() {
        Some((_, path)) if !path.is_empty() => format!("{}/{out}", path.join("/")),
        _ => out.to_owned(),
    }
}

/// The JRE image for a JDK or build-tool image: the same vendor's JRE of the same Java version
/// on the same distribution (`amazoncorretto:8-alpine3.23` → `amazoncorretto:8-alpine3.23-jre`),
/// only where that vendor publishes one; `Err` says why there is none.
pub fn jre_for(image: &str) -> Result<String, String> {
    let r = ImageRef::parse(image);
    let name = r.official_name().ok_or_else(|| format!("`{image}` is not an official JDK image"))?;
    let tag = r.tag.clone().unwrap_or_default().to_ascii_lowercase();
    if tag.contains("jre") {
        return Err(format!("`{image}` is already a JRE"));
    }
    // a build tool's image names the JDK it is on: maven:3.9-eclipse-temurin-17-alpine,
    // maven:3-amazoncorretto-21, gradle:8.5-jdk17-alpine (Temurin), gradle:jdk21-corretto
    let (vendor, jdk_tag) = match name {
        "maven" => ["eclipse-temurin", "amazoncorretto", "sapmachine", "openjdk"]
            .into_iter()
            .find_map(|v| tag.split_once(&format!("{v}-")).map(|(_, rest)| (v, rest.to_owned())))
            .or_else(|| tag.split_once("jdk-").map(|(_, rest)| ("openjdk", rest.to_owned())))
            .ok_or_else(|| format!("the JDK vendor of `{image}` has no known JRE image"))?,
        "gradle" if tag.contains("graal") => return Err(format!("GraalVM (`{image}`) publishes no JRE image")),
        "gradle" => {
            let rest = tag.split_once("jdk").map(|(_, rest)| rest.to_owned()).unwrap_or_default();
            match rest.split_once("-corretto") {
                Some((version, os)) => ("amazoncorretto", format!("{version}{}", os.replace("-al2023", ""))),
                None => ("eclipse-temurin", rest),
            }
        }
        "eclipse-temurin" | "openjdk" | "amazoncorretto" | "sapmachine" => (name, tag.clone()),
        _ => return Err(format!("`{image}` is not a JDK image shiplight knows")),
    };
    // `21.0.5_11-jdk-noble`: the version, then the distribution (`jdk` dropped)
    let (version, os) = jdk_tag.split_once('-').unwrap_or((&jdk_tag, ""));
    let os = os.trim_start_matches("jdk").trim_start_matches('-');
    let os = if os.is_empty() { String::new() } else { format!("-{os}") };
    let major: u32 =
        version.chars().take_while(char::is_ascii_digit).collect::<String>().parse().map_err(|_| {
            format!("the Java version of `{image}` cannot be read off its tag; pin a versioned JDK image")
        })?;
    let none = |who: &str| Err(format!("{who} publishes no JRE image of Java {major} (`{image}`)"));
    match vendor {
        // adoptium/containers: JREs of 8, 11 and 17 on, on every distribution its JDKs use
        "eclipse-temurin" if major == 8 || major == 11 || major >= 17 => {
            Ok(format!("eclipse-temurin:{version}-jre{os}"))
        }
        "eclipse-temurin" => none("Eclipse Temurin"),
        // the deprecated openjdk image had JREs up to 11; Eclipse Temurin is its successor
        "openjdk" if major <= 11 => Ok(format!("openjdk:{version}-jre{os}")),
        "openjdk" => jre_for(&format!("eclipse-temurin:{major}{}", if os.contains("alpine") { "-alpine" } else { "" }))
            .map_err(|_| format!("neither openjdk nor its successor Eclipse Temurin publishes a JRE image of Java {major} (`{image}`)")),
        // Corretto's only JRE images are Java 8's on Alpine
        "amazoncorretto" if major == 8 && os.contains("alpine") => Ok(format!("amazoncorretto:{version}{os}-jre")),
        "amazoncorretto" => none("Amazon Corretto"),
        "sapmachine" => Ok(format!("sapmachine:{version}-jre{os}")),
        _ => Err(format!("`{image}` is not a JDK image shiplight knows")),
    }
}

/// The plan for a single-stage Java Dockerfile; `None` when it is not one.
pub fn plan(df: &Dockerfile, inputs: &super::Inputs) -> Option<Result<Plan, Outcome>> {
    let opening = match super::single_stage(df, inputs, |name, _, _| {
        matches!(name, "eclipse-temurin" | "openjdk" | "amazoncorretto" | "sapmachine" | "maven" | "gradle")
    })? {
        Ok(o) => o,
        Err(outcome) => return Some(Err(outcome)),
    };
    let (stage, base) = (opening.stage, opening.base.as_str());
    let jre = match jre_for(base) {
        Ok(jre) => jre,
        Err(why) => {
            return super::refuse(
                Reason::UnknownRuntime,
                format!("line {}: {why}, so the JRE to run on is unknown; pin a JDK whose vendor publishes a JRE of its version", stage.line),
            )
        }
    };
    // no Java build tool runs here: the JDK only runs a program, which its JRE does
    let compiles = stage.instructions.iter().filter_map(|i| i.script()).any(|s| {
        shell::parse(&s).commands.iter().any(|c| {
            matches!(
                c.program(),
                "javac" | "jar" | "mvn" | "mvnw" | "gradle" | "gradlew" | "sbt" | "ant" | "lein" | "bazel"
            )
        })
    });
    // a native build (tomcat-native's `configure --with-java-home && make`) may need the
    // JDK's headers: not a program the JRE runs, so the generic split decides
    let native = stage.instructions.iter().filter_map(|i| i.script()).any(|s| {
        shell::parse(&s)
            .commands
            .iter()
            .any(|c| crate::dockerfile::roles::build(c).is_some() || crate::dockerfile::roles::runs_build(c))
    });
    if native && !compiles {
        return None;
    }
    let builds = if compiles {
        match super::scan_builds(stage, classify, artifact) {
            Ok(b) => b,
            Err(outcome) => return Some(Err(outcome)),
        }
    } else {
        super::Builds { last: None, artifact: None, workdir: "/".into() }
    };
    let Some(last_build) = builds.last else {
        // nothing is built: the JDK image only runs a program, which its JRE does
        let rationale = vec![Rationale::new(
            "SL101",
            stage.line,
            format!("nothing is compiled here: the program runs on `{jre}`, without the JDK of `{base}`"),
        )];
        // the base as written is the base resolved: no ARG in between
        if df.text.get(stage.base_span.clone()) != Some(base) {
            return super::refuse(
                Reason::VariableBase,
                format!("line {}: the base image comes from an ARG; set it to `{jre}` there", stage.line),
            );
        }
        let edits = vec![Edit::replace(stage.base_span.clone(), jre)];
        return Some(super::slim::edited(df, stage.index, edits, "java", rationale));
    };
    let Some(produced) = builds.artifact else {
        return super::refuse(
            Reason::UnknownArtifact,
            format!(
                "line {}: what the build produces is not known: use `jar cf PATH …`, Maven or Gradle, and ask again",
                stage.instructions[last_build].line
            ),
        );
    };
    if let Err(refused) = super::started_outside(stage, &builds.workdir, &produced) {
        return Some(Err(refused));
    }
    let (build, runtime) = super::split_copying(df, stage, classify, last_build, &produced);
    let rationale = vec![
        Rationale::new(
            "SL101",
            stage.line,
            format!("the JDK of `{base}` stays in the build stage; the runtime is `{jre}`"),
        ),
        Rationale::new(
            "SL102",
            stage.instructions[last_build].line,
            format!("only `{produced}` is copied into the runtime"),
        ),
    ];
    Some(Ok(Plan::new("java", df, stage, base, &jre, build, runtime, rationale)))
}

#[cfg(test)]
mod base_swap_tests {
    use crate::patch::{suggest, testing::answers, Outcome as O, Templates};

    /// A JDK image that only downloads and runs a prebuilt program runs on the JRE.
    #[test]
    fn a_jdk_that_compiles_nothing_becomes_its_jre() {
        let text = "# presto\nFROM openjdk:11-jdk-slim\nRUN apt-get update && apt-get install -y curl && curl -sSL https://x/p.tgz | tar xz && rm -rf /var/lib/apt/lists/*\nCMD [\"launcher\", \"run\"]\n";
        let O::Patch(p) = suggest(text, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert_eq!(p.patched, text.replace("FROM openjdk:11-jdk-slim", "FROM openjdk:11-jre-slim"));
        answers(text, &p, &["SL101"]);
        let alpine = "FROM openjdk:8-alpine\nCOPY app.jar /app.jar\nCMD [\"java\", \"-jar\", \"/app.jar\"]\n";
        let O::Patch(p) = suggest(alpine, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.starts_with("FROM openjdk:8-jre-alpine\n"), "{}", p.patched);
    }
}

#[cfg(test)]
mod tests {
    use super::jre_for;
    use crate::patch::{suggest, Outcome as O, Templates};

    const EXAMPLE: &str = include_str!("../../examples/java/Dockerfile");

    #[test]
    fn java_example_rewrite() {
        let O::Patch(p) = suggest(EXAMPLE, "Dockerfile", &Default::default(), &Templates::built_in()) else {
            panic!("no patch")
        };
        assert_eq!(p.ecosystem, "java");
        let (build, runtime) = p.patched.split_once("AS runtime").unwrap();
        assert!(build.contains("FROM eclipse-temurin:17 AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM eclipse-temurin:17-jre AS runtime\n"));
        assert!(
            runtime.contains(
                "WORKDIR /app\nCOPY --from=build /app/app.jar /app/app.jar\nCMD [\"java\", \"-jar\", \"app.jar\"]"
            ),
            "{runtime}"
        );
        crate::patch::testing::answers(EXAMPLE, &p, &["SL101", "SL102"]);
    }

    #[test]
    fn the_output_folder_follows_the_task_and_the_project() {
        let w = |s: &str| s.split(' ').map(str::to_owned).collect::<Vec<_>>();
        assert_eq!(super::gradle_output(&w("build --no-daemon")), "build/libs");
        assert_eq!(super::gradle_output(&w("clean installDist")), "build/install");
        assert_eq!(super::gradle_output(&w(":server:installDist -x test")), "server/build/install");
        assert_eq!(super::gradle_output(&w(":app:bootJar")), "app/build/libs");
        assert_eq!(super::maven_target(&w("-B -f api/pom.xml package")), "api/target");
        assert_eq!(super::maven_target(&w("-B package")), "target");
        // the program the CMD starts must be in what the runtime copies
        let installed = "FROM gradle:8-jdk21\nWORKDIR /home/gradle/project\nCOPY . .\nRUN gradle installDist\nCMD [\"build/install/app/bin/app\"]\n";
        let O::Patch(p) = suggest(installed, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(
            p.patched
                .contains("COPY --from=build /home/gradle/project/build/install /home/gradle/project/build/install"),
            "{}",
            p.patched
        );
        // a task whose output is not what the CMD starts (the distribution of `gradle build`
        // is in build/distributions, not build/install)
        let elsewhere = installed.replace("gradle installDist", "gradle build");
        let O::Refused(r) = suggest(&elsewhere, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(r.message.contains("`build/install/app/bin/app`") && r.message.contains("build/libs"), "{}", r.message);
        // a configuration folder beside the build's output, which the runtime would not have
        let config = "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /app\nCOPY . .\nRUN mvn -B package\nCMD [\"java\", \"-jar\", \"target/gateway.jar\", \"--spring.config.additional-location=file:./config/\"]\n";
        let df = crate::dockerfile::Dockerfile::parse(config).unwrap();
        let Some(Err(O::Refused(r))) = super::plan(&df, &Default::default()) else { panic!() };
        assert!(r.message.contains("`./config/`"), "{}", r.message);
        // (the build-and-install split then copies the whole folder the build ran in)
        let O::Patch(p) = suggest(config, "D", &Default::default(), &Templates::built_in()) else { panic!() };
        assert!(p.patched.contains("COPY --from=build /app /app\n"), "{}", p.patched);
    }

    #[test]
    fn maven_and_gradle_projects() {
        let t = Templates::built_in();
        let maven = "FROM maven:3.9-eclipse-temurin-21\nWORKDIR /build\nCOPY pom.xml .\nRUN mvn -B dependency:go-offline\nCOPY src src\nRUN mvn -B package -DskipTests\nCMD [\"java\", \"-jar\", \"target/app.jar\"]\n";
        let O::Patch(p) = suggest(maven, "D", &Default::default(), &t) else { panic!() };
        assert!(p.patched.contains("FROM eclipse-temurin:21-jre AS runtime\nWORKDIR /build\nCOPY --from=build /build/target /build/target\n"), "{}", p.patched);
        let gradle = "FROM gradle:8.5-jdk17\nWORKDIR /home/gradle/app\nCOPY . .\nRUN gradle build --no-daemon\nCMD [\"java\", \"-jar\", \"build/libs/app.jar\"]\n";
        let O::Patch(p) = suggest(gradle, "D", &Default::default(), &t) else { panic!() };
        assert!(
            p.patched.contains("FROM eclipse-temurin:17-jre AS runtime")
                && p.patched.contains("COPY --from=build /home/gradle/app/build/libs /home/gradle/app/build/libs"),
            "{}",
            p.patched
        );
        let jre = |image: &str| jre_for(image).ok();
        assert!(jre_for("eclipse-temurin:17-jre").is_err());
        // the same distribution: noble stays noble
        assert_eq!(jre("eclipse-temurin:21-jdk-noble"), Some("eclipse-temurin:21-jre-noble".into()));
        assert_eq!(jre("eclipse-temurin:21-jdk-ubi9-minimal"), Some("eclipse-temurin:21-jre-ubi9-minimal".into()));
        assert_eq!(jre("eclipse-temurin:17-alpine"), Some("eclipse-temurin:17-jre-alpine".into()));
        assert_eq!(jre("eclipse-temurin:21.0.5_11-jdk-jammy"), Some("eclipse-temurin:21.0.5_11-jre-jammy".into()));
        // Temurin never published a JRE of Java 16 (adoptium/containers' history)
        assert!(jre_for("eclipse-temurin:16-jdk").unwrap_err().contains("no JRE image of Java 16"));
        // the same vendor: openjdk had JREs up to 11, Corretto only 8's on Alpine
        assert_eq!(jre("openjdk:11-jdk"), Some("openjdk:11-jre".into()));
        assert_eq!(jre("openjdk:11-jdk-slim"), Some("openjdk:11-jre-slim".into()));
        assert_eq!(jre("openjdk:17-jdk-slim"), Some("eclipse-temurin:17-jre".into()));
        assert!(jre_for("openjdk:16-jdk").unwrap_err().contains("neither openjdk nor its successor"));
        assert_eq!(jre("amazoncorretto:8-alpine3.23"), Some("amazoncorretto:8-alpine3.23-jre".into()));
        assert!(jre_for("amazoncorretto:21").unwrap_err().contains("Amazon Corretto"));
        assert_eq!(jre("sapmachine:21-jdk-ubuntu-jammy"), Some("sapmachine:21-jre-ubuntu-jammy".into()));
        // build tools' images name their JDK
        assert_eq!(jre("maven:3.9-amazoncorretto-8-alpine"), Some("amazoncorretto:8-alpine-jre".into()));
        assert_eq!(jre("maven:3-jdk-11-slim"), Some("openjdk:11-jre-slim".into()));
        assert_eq!(jre("gradle:8-jdk21-alpine"), Some("eclipse-temurin:21-jre-alpine".into()));
        assert!(jre_for("gradle:jdk21-corretto").is_err());
        assert!(jre_for("gradle:jdk21-graal").is_err());
        // a native build against the JDK (tomcat-native) is not a program the JRE runs
        let tomcat = "FROM eclipse-temurin:21-jdk-noble\nRUN apt-get update && apt-get install -y gcc make libapr1-dev \\\n && ./configure --with-java-home=\"$JAVA_HOME\" && make && make install \\\n && apt-get purge -y --auto-remove gcc make libapr1-dev\nCMD [\"catalina.sh\", \"run\"]\n";
        // the generic split builds it on the JDK and runs what it installed on the JRE
        let O::Patch(p) = suggest(tomcat, "D", &Default::default(), &t) else { panic!() };
        assert_eq!(p.ecosystem, "install", "{}", p.patched);
        assert!(p.patched.contains("FROM eclipse-temurin:21-jdk-noble AS build\n"), "{}", p.patched);
        assert!(p.patched.contains("FROM eclipse-temurin:21-jre-noble AS runtime\n"), "{}", p.patched);
        let O::Refused(why) = suggest("FROM maven:3\nRUN mvn package\n", "D", &Default::default(), &t) else {
            panic!()
        };
        assert!(why.contains("no known JRE image"), "{why}");
    }
}
