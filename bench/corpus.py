#!/usr/bin/env python3
"""The corpus benchmark's two halves (bench/corpus.sh calls them).

  corpus.py lay GIT_DIR COMMIT DEST     write a repository's build-relevant files at COMMIT under DEST
  corpus.py measure CORPUS [--no-hadolint] [--list] [--split S]   print the figures
  corpus.py sample CORPUS CODE [N] [--split S]   print N unlabelled findings of CODE with their lines, for labelling
  corpus.py precision CORPUS   per rule and split, labelled precision of the current findings -> docs/precision.tsv
  corpus.py hadolint CORPUS [--split S]   per aliased code: where shiplight and hadolint agree and differ,
                              and who is right where the labels say
  corpus.py sample-hadolint CORPUS DLxxxx [N] [--split S]
  corpus.py ship-sample GIT_DIR COMMIT   the Dockerfiles bench/ship-truth.tsv holds for a repository

--split tuning|held-out|all (default tuning) keeps the repositories of that part of
bench/corpus-sources.txt (its fourth column): rules are tuned on `tuning` only, and `held-out`
is measured and labelled only after a change (see the sources file's header). Labels count
only for the files of the chosen split. SHIPLIGHT names the binary (default
target/release/shiplight).

Only figures are printed; nothing here fails on one."""
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

SHIPLIGHT = os.environ.get("SHIPLIGHT", "target/release/shiplight")
SOURCES = "bench/corpus-sources.txt"
SPLITS = ("tuning", "held-out", "all")


# as src/pipeline/lint.rs's NOT_DOCKERFILE_EXTENSIONS: `dockerfile.go` is a Go file
NOT_DOCKERFILE_EXTENSIONS = {
    "dockerignore", "go", "rs", "py", "js", "mjs", "cjs", "ts", "tsx", "jsx", "java", "kt", "rb", "php", "c", "h",
    "cc", "cpp", "hpp", "cs", "swift", "json", "yaml", "yml", "toml", "xml", "md", "rst", "txt", "html", "sh",
    "bash", "ps1", "lock", "sum", "mod", "snap", "orig", "bak", "swp", "patch", "diff", "tmpl", "template", "j2",
    "hbs", "erb", "in",
}


def is_dockerfile(name):
    """A Dockerfile by name, as shiplight's is_dockerfile_name reads it (case-insensitive:
    uptime-kuma's `docker/dockerfile`; Containerfiles too), templates aside."""
    base = os.path.basename(name).lower()
    if "." in base and base.rsplit(".", 1)[1] in NOT_DOCKERFILE_EXTENSIONS:
        return False
    stems = ("dockerfile.", "dockerfile-", "dockerfile_", "containerfile.", "containerfile-", "containerfile_")
    return (base in ("dockerfile", "containerfile") or (base.startswith(stems) and len(base.split("file", 1)[1]) > 1)
            or base.endswith((".dockerfile", ".containerfile")))


# The files shiplight reads to know what ships, laid whole at their paths (see build_relevant)
COMPOSE_NAME = re.compile(r"(docker-)?compose([.-][^/]*)?\.ya?ml")
CONFIG = (".shiplight.yml", ".shiplight.yaml", ".hadolint.yaml", ".hadolint.yml")


def is_pipeline(path):
    """Another CI system's pipeline file, as shiplight's `repository::pipelines` knows them."""
    base = os.path.basename(path)
    if base == "Jenkinsfile" or base.startswith("Jenkinsfile.") or base.lower().endswith(".jenkinsfile"):
        return True
    stem, ext = os.path.splitext(base)
    if ext not in (".yml", ".yaml"):
        return False
    return (path in (".gitlab-ci.yml", ".gitlab-ci.yaml", ".circleci/config.yml", ".circleci/config.yaml",
                     ".travis.yml", ".travis.yaml", ".drone.yml", ".drone.yaml", ".woodpecker.yml",
                     ".woodpecker.yaml", "bitbucket-pipelines.yml")
            or base.endswith(".gitlab-ci.yml")
            or path.startswith(".gitlab/ci/")
            or (path.startswith(".woodpecker/") and "/" not in path[len(".woodpecker/"):])
            or stem.startswith(("cloudbuild", "azure-pipelines", "buildspec")))


def build_relevant(path):
    """Whether a repository file says how its Dockerfiles are built: the Dockerfiles, compose
    files anywhere, the GitHub workflows and local actions, other CI systems' pipelines, bake
    files, dev containers,
    Gitpod's configuration, Makefiles, shell scripts and package.json files, official-images manifests,
    uWSGI's configuration and shiplight's or hadolint's configuration."""
    base = os.path.basename(path)
    parts = path.split("/")
    return (is_dockerfile(path)
            or COMPOSE_NAME.fullmatch(base) is not None
            or re.fullmatch(r"\.github/workflows/[^/]+\.ya?ml", path) is not None
            or (path.startswith(".github/actions/") and base in ("action.yml", "action.yaml"))
            # other CI systems' pipelines (GitLab, CircleCI, Cloud Build, Azure, Travis, Drone,
            # Woodpecker, Bitbucket, CodeBuild): libraries.io pushes from Cloud Build (round 61)
            or is_pipeline(path)
            or re.fullmatch(r"docker-bake[^/]*\.(hcl|json)", base) is not None
            # any HCL file: a workflow may bake one by any name and folder (Mailu's
            # `tests/build.hcl`, held out in round 22)
            or base.endswith(".hcl")
            or base == ".devcontainer.json"
            or (".devcontainer" in parts[:-1] and base.endswith(".json"))
            # Gitpod's workspace image (`image: {file: …}`)
            or path in (".gitpod.yml", ".gitpod.yaml")
            or base in CONFIG
            # a server's own configuration that says who it runs as (uWSGI's `uid = app`)
            or re.fullmatch(r"uwsgi[^/]*\.(ini|ya?ml)", base) is not None
            # Tiltfiles: development clusters' builds
            or base == "Tiltfile" or base.startswith("Tiltfile.") or base.lower().endswith(".tiltfile")
            # Makefiles, shell scripts and package.json scripts a workflow's run step may
            # call (`make buildx`, `npm run build-docker`)
            or base in ("Makefile", "makefile", "GNUmakefile") or base.endswith((".mk", ".sh"))
            or base.lower() in ("justfile", ".justfile")
            or (base == "package.json" and "node_modules" not in parts)
            # an official-images manifest: `ros/ros`, `library/ros` (no extension)
            or (len(parts) >= 2 and "." not in base and (parts[-2] == base or parts[-2] == "library")))


COMPOSE_SERVICES = re.compile(r"^services:[ \t]*$", re.MULTILINE)
COMPOSE_SERVICE = re.compile(r"^[ \t]+(build|image):", re.MULTILINE)


def compose_by_text(git_dir, commit, paths):
    """The YAML files among PATHS that are compose files by their text (a top-level
    `services:` and an indented `build:` or `image:`), whatever their name: cookiecutter-django's
    `local.yml` and `production.yml` (round 80), as shiplight's `compose::is_compose_text`."""
    yaml = [p for p in paths if p.endswith((".yml", ".yaml"))]
    if not yaml:
        return set()
    batch = subprocess.run(["git", "--git-dir", git_dir, "cat-file", "--batch"],
                           input="".join(f"{commit}:{p}\n" for p in yaml).encode(),
                           capture_output=True, check=True).stdout
    found, at = set(), 0
    for p in yaml:
        header_end = batch.index(b"\n", at)
        header = batch[at:header_end].split()
        if header[-1] == b"missing":
            at = header_end + 1
            continue
        size = int(header[2])
        text = batch[header_end + 1:header_end + 1 + size].decode(errors="replace")
        at = header_end + 1 + size + 1
        if size <= 1 << 20 and COMPOSE_SERVICES.search(text) and COMPOSE_SERVICE.search(text):
            found.add(p)
    return found


def lay(git_dir, commit, dest):
    """Lay a repository's build-relevant files whole at their paths under DEST, the other
    names of each Dockerfile's folder as empty files (what suggest's context checks look at),
    and an empty .git at DEST: shiplight's upward search for configuration and compose files
    stops at the repository's root, as it would in a checkout."""
    listing = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", commit],
                             capture_output=True, text=True, check=True).stdout
    names, blobs, links = [], [], {}
    for entry in listing.split("\0"):
        if not entry:
            continue
        meta, name = entry.split("\t", 1)
        names.append(name)
        if meta.split()[0] == "120000":  # a symlink: laid as one, after the files
            links[name] = None
        elif meta.split()[1] == "blob":  # not a submodule's commit
            blobs.append(name)
    by_dir = collections.defaultdict(list)
    for n in names:
        by_dir[os.path.dirname(n)].append(os.path.basename(n))
    os.makedirs(os.path.join(dest, ".git"), exist_ok=True)
    composed = compose_by_text(git_dir, commit, [n for n in blobs if not build_relevant(n)])
    for n in blobs:
        if not build_relevant(n) and n not in composed:
            continue
        os.makedirs(os.path.join(dest, os.path.dirname(n)), exist_ok=True)
        blob = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{n}"], capture_output=True).stdout
        with open(os.path.join(dest, n), "wb") as f:
            f.write(blob)
    # a symlink (tianon's jenkins/Dockerfile.lts → lts/Dockerfile) is laid as a symlink, as
    # a checkout has it, not as a file holding the target's path
    for n in links:
        if not build_relevant(n):
            continue
        target = subprocess.run(["git", "--git-dir", git_dir, "show", f"{commit}:{n}"], capture_output=True).stdout
        os.makedirs(os.path.join(dest, os.path.dirname(n)), exist_ok=True)
        if not os.path.lexists(os.path.join(dest, n)):
            os.symlink(target.decode(errors="replace"), os.path.join(dest, n))
    # the names of each Dockerfile's folder (empty, unless laid whole above)
    for d in sorted({os.path.dirname(n) for n in blobs if is_dockerfile(n)}):
        for sib in by_dir[d][:200]:
            p = os.path.join(dest, d, sib)
            if not os.path.exists(p) and not is_dockerfile(sib):
                open(p, "wb").close()
    # the names under a folder a Dockerfile COPYs from the context (`COPY rootfs/ /`), empty:
    # what SL109 reads of a checkout. `.` is not laid (the whole repository).
    copy_line = re.compile(r"^\s*(?:COPY|ADD)\s+(.*)$", re.IGNORECASE | re.MULTILINE)
    laid = 0
    for df in (n for n in blobs if is_dockerfile(n)):
        try:
            text = open(os.path.join(dest, df), encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        for m in copy_line.finditer(text):
            words = [w for w in m.group(1).split() if not w.startswith("--") and w != "\\"]
            if "[" in m.group(1):
                # the JSON form, `COPY ["conf/etc/", "/etc/"]` (zabbix), flags before it
                try:
                    words = json.loads(m.group(1)[m.group(1).index("["):].strip())
                except ValueError:
                    continue
            if "--from" in m.group(1) or len(words) < 2 or not all(isinstance(w, str) for w in words):
                continue
            for src in words[:-1]:
                src = src.strip("\"'").rstrip("/")
                if src in ("", ".", "./") or any(c in src for c in "*?[$") or "://" in src:
                    continue
                for folder in (os.path.normpath(os.path.join(os.path.dirname(df), src)), os.path.normpath(src)):
                    under = [n for n in blobs if n.startswith(folder + "/")]
                    for n in under[:3000]:
                        p = os.path.join(dest, n)
                        if not os.path.lexists(p) and laid < 20000:
                            os.makedirs(os.path.dirname(p), exist_ok=True)
                            open(p, "wb").close()
                            laid += 1
                    if under:
                        break


def read_splits(path=SOURCES):
    """The laid folder of each repository (owner+name) -> its split, from the sources file."""
    splits = {}
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        repo, _commit, _licence, split, *_ = line.split()
        splits[repo.replace("/", "+")] = split
    return splits


def take_split(args):
    """Remove `--split S` (or `--split=S`) from args; return S (default tuning) and the rest."""
    split, rest, i = "tuning", [], 0
    while i < len(args):
        if args[i] == "--split" and i + 1 < len(args):
            split, i = args[i + 1], i + 2
            continue
        if args[i].startswith("--split="):
            split = args[i].split("=", 1)[1]
        else:
            rest.append(args[i])
        i += 1
    if split not in SPLITS:
        sys.exit(f"corpus.py: --split is one of {', '.join(SPLITS)}, not {split!r}")
    return split, rest


def in_split(split):
    """A test of corpus-relative paths (owner+name/...): whether the file is of a repository
    of the split."""
    wanted = {r for r, s in read_splits().items() if split == "all" or s == split}
    return lambda path: path.split(os.sep)[0] in wanted


def dockerfiles(corpus, split):
    """The corpus's Dockerfiles in the split's repositories, sorted."""
    keep = in_split(split)
    return sorted(p for p in (os.path.join(d, f) for d, _, fs in os.walk(corpus) for f in fs if is_dockerfile(f))
                  if keep(rel(corpus, p)))


def lint(files, flags=()):
    found = []
    for i in range(0, len(files), 200):
        r = subprocess.run([SHIPLIGHT, "lint", "--format", "json", *flags, *files[i:i + 200]],
                           capture_output=True, text=True)
        found += json.loads(r.stdout or "[]")
    return found


def rel(corpus, path):
    return os.path.relpath(path, corpus)


def measure(corpus, flags):
    split, flags = take_split(flags)
    files = dockerfiles(corpus, split)
    repos = sorted({rel(corpus, f).split(os.sep)[0] for f in files})
    print(f"split: {split}: " + ("every repository of " + SOURCES if split == "all" else
                                  f"every figure below is for the {split} repositories of {SOURCES} only"))
    print(f"corpus: {len(files)} Dockerfiles from {len(repos)} repositories ({SOURCES})")
    findings = lint(files)
    unparsed = {f["file"] for f in findings if f["code"] == "SL001"}
    print(f"shiplight parses {len(files) - len(unparsed)} of them")

    # --- precision on the hand-labelled sample (the labels of this split's files)
    keep = in_split(split)
    labels = {k: v for k, v in read_labels().items() if keep(k[0])}
    # every rule that fired or has labels; the detail for the labelled ones
    every = collections.Counter(f["code"] for f in findings)
    print("findings by rule: " + ", ".join(f"{c} {n}" for c, n in sorted(every.items())))
    labelled_codes = sorted({k[2] for k in labels if k[2].startswith("SL")} | {"SL101", "SL106"})
    for code in labelled_codes:
        hits = [f for f in findings if f["code"] == code]
        flagged_files = {f["file"] for f in hits}
        tp = fp = unl = other = 0
        for f in hits:
            v = labels.get((rel(corpus, f["file"]), f["line"], code))
            if v in ("ships", "true"):
                tp += 1
            elif v in ("clean", "false"):
                fp += 1
            elif v:
                other += 1
            else:
                unl += 1
        # labelled findings that shiplight no longer reports: missed true ones, and false
        # alarms that went away
        current = {(rel(corpus, f["file"]), f["line"], code) for f in hits}
        missed = sum(1 for k, v in labels.items() if k[2] == code and v in ("ships", "true") and k not in current)
        silent = sum(1 for k, v in labels.items() if k[2] == code and v in ("clean", "false") and k not in current)
        prec = f"{100 * tp / (tp + fp):.1f} %" if tp + fp else "n/a"
        print(f"{code}: {len(hits)} findings in {len(flagged_files)} files; precision {prec} "
              f"on the {tp + fp} labelled ({tp} ship, {fp} clean), {unl} unlabelled, {other} labelled otherwise; "
              f"{silent} labelled false alarms no longer reported, {missed} labelled-true now missed")
        if "--list" in flags:
            for f in hits:
                k = (rel(corpus, f["file"]), f["line"], code)
                print(f"  {labels.get(k, '?'):6} {k[0]}:{k[1]}  {f['message'][:110]}")

    # --- rewrite coverage on the files flagged as shipping a toolchain
    flagged = sorted({f["file"] for f in findings if f["code"] == "SL101"})
    outcomes = collections.Counter()
    reasons = collections.Counter()
    clean = 0
    unclean = []
    refusals = []
    other_only = []
    for path in flagged:
        r = subprocess.run([SHIPLIGHT, "suggest", "--format", "json", path], capture_output=True, text=True)
        try:
            s = json.loads(r.stdout)
        except ValueError:
            outcomes["error"] += 1
            reasons[f"error: {r.stderr.strip()[:80]}"] += 1
            continue
        outcomes[s["outcome"]] += 1
        if s["outcome"] == "patch":
            answered = {x["rule"] for x in s.get("rationale", [])} & {"SL101", "SL102"}
            if not answered:
                # a patch that fixes other rules only (a pip cache, a slim base) leaves the
                # toolchain where it was
                other_only.append(rel(corpus, path))
            if s.get("retarget"):
                # the Dockerfile is unchanged and a compose/bake/workflow line ships another
                # stage: lint the file alone (outside the repository) with that stage shipped
                with tempfile.TemporaryDirectory() as d:
                    alone = os.path.join(d, "Dockerfile")
                    shutil.copyfile(path, alone)
                    to = s["retarget"].get("to")
                    after = {f["code"] for f in lint([alone], ["--target", to] if to else [])}
            else:
                with tempfile.NamedTemporaryFile("w", suffix=".Dockerfile", dir=os.path.dirname(path), delete=False) as t:
                    t.write(s["patched"])
                after = {f["code"] for f in lint([t.name])}
                os.unlink(t.name)
            left = answered & after
            if not left and "SL001" not in after:
                clean += 1
            else:
                unclean.append((rel(corpus, path), sorted(left | (after & {"SL001"}))))
        else:
            reasons[s.get("reason") or (s.get("message") or "")[:70]] += 1
            refusals.append((s.get("reason") or "-", rel(corpus, path), (s.get("message") or "")[:160]))
    n = len(flagged)
    # a patch counts when it answers an SL101/SL102 finding: one that fixes other rules only
    # (a pip cache) leaves the toolchain where it was
    patches = outcomes["patch"] - len(other_only)
    print(f"rewrite coverage: {patches} of {n} files flagged by SL101 get a patch that answers an SL101/SL102 "
          f"finding ({100 * patches / max(n, 1):.1f} %); {clean - len(other_only)} of them lint clean of the "
          f"SL101/SL102 they answer; {len(other_only)} more get a patch of other rules only")
    if "--list" in flags:
        for path in other_only:
            print(f"  patch answering no SL101/SL102: {path}")
    # the same coverage by what the labels say of each file's SL101 findings: a file with a
    # finding labelled true should get a patch; a file whose findings are all labelled false
    # alarms (or runtime use) should not, since the patch would remove what the program uses
    verdict = {}
    for f in findings:
        if f["code"] != "SL101":
            continue
        v = labels.get((rel(corpus, f["file"]), f["line"], "SL101"))
        was = verdict.get(f["file"], "false")
        if v in ("ships", "true"):
            verdict[f["file"]] = "true"
        elif v is None and was != "true":
            verdict[f["file"]] = "unlabelled"
        else:
            verdict.setdefault(f["file"], "false")
    patched = {rel(corpus, p) for p in flagged} - {p for _, p, _ in refusals} - set(other_only)
    by_rel = {rel(corpus, p): v for p, v in verdict.items()}
    for kind in ("true", "false", "unlabelled"):
        files_k = [rel(corpus, p) for p in flagged if verdict.get(p) == kind]
        got = sum(1 for p in files_k if p in patched)
        what = {"true": "with a finding labelled true", "false": "whose findings are all labelled false alarms or runtime use",
                "unlabelled": "with unlabelled findings only"}[kind]
        print(f"  files {what}: {got} of {len(files_k)} get a patch")
    if "--list" in flags:
        print("  refusals on files with a finding labelled true:")
        for why, path, message in sorted(refusals):
            if by_rel.get(path) == "true":
                print(f"    {why:18} {path}: {message[:120]}")
    for path, left in unclean[:10]:
        print(f"  still reported after the patch: {path}: {', '.join(left)}")
    print(f"outcomes: {dict(outcomes)}")
    print("refusals and no-ops by reason:")
    for why, c in reasons.most_common():
        print(f"  {c:4}  {why}")
    if "--list" in flags:
        for why, path, message in sorted(refusals):
            print(f"  {why:18} {path}: {message}")

    # --- throughput beside hadolint, same files, same run
    if "--no-hadolint" in flags or not shutil.which("hadolint"):
        print("throughput: hadolint not run (scripts/peers.sh installs it)")
        return
    parsed = [f for f in files if f not in unparsed]
    hv = subprocess.run(["hadolint", "--version"], capture_output=True, text=True).stdout.strip()

    def best(cmd):
        b = None
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            d = time.perf_counter() - t
            b = d if b is None else min(b, d)
        return b
    hs = best(["hadolint", "--no-fail", "-f", "json", *parsed])
    ss = best([SHIPLIGHT, "lint", "--format", "json", *parsed])
    print(f"throughput on {len(parsed)} files, one process each, best of 3: shiplight {len(parsed) / ss:.0f} files/s, "
          f"hadolint {len(parsed) / hs:.0f} files/s ({hv}): {hs / ss:.1f}x")


# The labels: the tuning part's (labelled while the rules were tuned) and the held-out part's
# (labelled after a change, by someone who did not tune: bench/corpus-labels-heldout.tsv).
LABEL_FILES = ("bench/corpus-labels.tsv", "bench/corpus-labels-heldout.tsv")


def read_labels(paths=LABEL_FILES):
    labels = {}
    for path in ([paths] if isinstance(paths, str) else paths):
        if not os.path.exists(path):
            continue
        for line in open(path):
            if line.startswith("#") or not line.strip():
                continue
            f, ln, code, verdict, *_ = line.rstrip("\n").split("\t")
            labels[(f, int(ln), code)] = verdict
    return labels


def precision(corpus, out="docs/precision.tsv"):
    """Per rule and split: the current findings, how many carry a label, how many of those
    are right. Written to docs/precision.tsv, which `shiplight rules CODE` shows."""
    import datetime
    labels = read_labels()
    rows = []
    for split in ("tuning", "held-out"):
        files = dockerfiles(corpus, split)
        found = lint(files)
        codes = sorted({f["code"] for f in found} | {k[2] for k in labels if k[2].startswith("SL")})
        for code in codes:
            hits = [f for f in found if f["code"] == code]
            right = wrong = 0
            for f in hits:
                v = labels.get((rel(corpus, f["file"]), f["line"], code))
                if v in ("ships", "true"):
                    right += 1
                elif v in ("clean", "false"):
                    wrong += 1
            if hits or right + wrong:
                rows.append((code, split, len(hits), right + wrong, right))
    today = datetime.date.today().isoformat()
    with open(out, "w") as f:
        f.write("# Measured precision per rule (bench/corpus.py precision): the rule's current findings on the\n"
                "# public corpus (bench/corpus-sources.txt), per split, how many carry a hand label, and how many\n"
                "# of those are right. Held-out labels are made after a change, on repositories no rule was tuned on.\n"
                "# The held-out rows are the current round's held-out repositories, measured\n"
                "# with the frozen binary their labels were made on (its commit is in the round's header of\n"
                "# bench/corpus-labels-heldout.tsv); run this with SHIPLIGHT set to that binary.\n"
                f"# measured {today} with {os.path.basename(os.path.dirname(os.path.abspath(SHIPLIGHT)))}/{os.path.basename(SHIPLIGHT)}\n")
        f.write("code\tsplit\tfindings\tlabelled\tright\n")
        for r in rows:
            f.write("\t".join(map(str, r)) + "\n")
    for code, split, n, labelled, right in rows:
        p = f"{100 * right / labelled:.1f} %" if labelled else "n/a"
        print(f"{code} {split}: {n} findings, {labelled} labelled, precision {p}")


def instruction(lines, i):
    """The lines of the instruction starting at index i: its continuation lines, through the
    comment lines inside it (a comment does not end a continued instruction)."""
    j = i
    while j < len(lines) - 1 and j - i < 120 and (
            lines[j].rstrip().endswith("\\") or (j > i and lines[j].lstrip().startswith("#"))):
        j += 1
    return lines[i:j + 1]


def joined(lines, i):
    """The instruction at index i on one line, comments dropped."""
    return " ".join(l.strip().rstrip("\\").strip() for l in instruction(lines, i) if not l.lstrip().startswith("#"))


def sample(corpus, code, n=20, split="tuning"):
    """A stable pseudo-random spread of a rule's unlabelled findings (ordered by a hash of
    file and line, so a new run picks the same ones), each with its instruction and the file's
    FROM/USER lines: what a person needs to say true or false."""
    import hashlib
    files = dockerfiles(corpus, split)
    print(f"split: {split}: {len(files)} Dockerfiles")
    labels = read_labels()
    hits = [f for f in lint(files) if f["code"] == code and (rel(corpus, f["file"]), f["line"], code) not in labels]
    hits.sort(key=lambda f: hashlib.sha1(f"{rel(corpus, f['file'])}:{f['line']}".encode()).hexdigest())
    for f in hits[:int(n)]:
        lines = open(f["file"], errors="replace").read().split("\n")
        i = f["line"] - 1
        j = i + len(instruction(lines, i)) - 1
        print(f"=== {rel(corpus, f['file'])}\t{f['line']}\t{code}\t{f['message'][:160]}")
        for k, l in enumerate(lines):
            if re.match(r"\s*(FROM|USER|SHELL|ENTRYPOINT)\b", l, re.I) and not i <= k <= j:
                print(f"   {k + 1:4}| {l[:150]}")
        print(f" > {i + 1:4}| {joined(lines, i)[:1600]}")


def ship_sample(git_dir, commit, n=15, whole=25):
    """The Dockerfiles of a repository that bench/ship-truth.tsv reads: every one when there
    are at most `whole`, else the `n` whose sha1(path) sorts first (a stable spread, whatever
    the names). ship-truth.tsv adds, marked `added`, the ones a large repository's CI or
    bake file names by path and the spread missed."""
    import hashlib
    names = subprocess.run(["git", "--git-dir", git_dir, "ls-tree", "-r", "-z", "--name-only", commit],
                           capture_output=True, text=True, check=True).stdout.split("\0")
    files = sorted(p for p in names if p and is_dockerfile(p))
    if len(files) > whole:
        files = sorted(sorted(files, key=lambda p: hashlib.sha1(p.encode()).hexdigest())[:n])
    return files


def sample_hadolint(corpus, dl, n=10, split="tuning"):
    """hadolint findings of code `dl` that shiplight does not report at that line, for
    labelling (the label's code is the hadolint code; true means hadolint is right)."""
    import hashlib
    files = dockerfiles(corpus, split)
    print(f"split: {split}: {len(files)} Dockerfiles")
    sl = aliases()[dl]
    mine = {(rel(corpus, f["file"]), f["line"]) for f in lint(files) if f["code"] == sl}
    r = subprocess.run(["hadolint", "--no-fail", "-f", "json", *files], capture_output=True, text=True)
    labels = read_labels()
    hits = [f for f in json.loads(r.stdout or "[]") if f["code"] == dl
            and (rel(corpus, f["file"]), f["line"]) not in mine and (rel(corpus, f["file"]), f["line"], dl) not in labels]
    hits.sort(key=lambda f: hashlib.sha1(f"{rel(corpus, f['file'])}:{f['line']}".encode()).hexdigest())
    for f in hits[:int(n)]:
        lines = open(f["file"], errors="replace").read().split("\n")
        body = joined(lines, f["line"] - 1)
        froms = [f"{k + 1}:{l.strip()}" for k, l in enumerate(lines) if re.match(r"\s*FROM\b", l, re.I)]
        print(f"=== {rel(corpus, f['file'])}\t{f['line']}\t{dl}\t{f['message'][:100]}\n    stages: {' | '.join(froms)[:300]}\n >  {body[:900]}")


def aliases():
    """hadolint code -> shiplight code, from docs/rules.md's table."""
    out = {}
    for line in open("docs/rules.md"):
        m = re.match(r"\| \[(SL\d+)\]\(#sl\d+\) \| `[^`]+` \| \w+ \| ([^|]*) \|", line)
        if m:
            for dl in re.findall(r"DL\d+", m.group(2)):
                out[dl] = m.group(1)
    return out


def vs_hadolint(corpus, split="tuning"):
    """For each hadolint code shiplight answers to: findings both report (same file and line),
    only shiplight, only hadolint; and, from the labels, how many of each side's extra
    findings are right. Unlabelled extras are counted as such, never guessed."""
    files = dockerfiles(corpus, split)
    print(f"split: {split}: {len(files)} Dockerfiles\n")
    mine = lint(files)
    unparsed = {f["file"] for f in mine if f["code"] == "SL001"}
    parsed = [f for f in files if f not in unparsed]
    theirs = []
    for i in range(0, len(parsed), 200):
        r = subprocess.run(["hadolint", "--no-fail", "-f", "json", *parsed[i:i + 200]], capture_output=True, text=True)
        theirs += json.loads(r.stdout or "[]")
    labels = read_labels()
    alias = aliases()
    print("| hadolint | shiplight | both | only shiplight (labelled right/wrong/unlabelled) | only hadolint (shiplight's label says hadolint is wrong/right/unlabelled) |")
    print("|---|---|---:|---:|---:|")
    for dl, sl in sorted(alias.items()):
        h = {(rel(corpus, f["file"]), f["line"]) for f in theirs if f["code"] == dl}
        m = {(rel(corpus, f["file"]), f["line"]) for f in mine if f["code"] == sl}
        if not h and not m:
            continue
        # shiplight findings of a rule with several aliases: compare only where hadolint's
        # code is the same kind (SL106's apt/pip/apk parts), so count shiplight-only lines
        # for the multi-alias rules against the union of their hadolint codes
        siblings = {d for d, s in alias.items() if s == sl}
        h_all = {(rel(corpus, f["file"]), f["line"]) for f in theirs if f["code"] in siblings}
        only_m = m - h_all if len(siblings) > 1 else m - h
        only_h = h - m
        def verdicts(keys, right):
            r = w = u = 0
            for k in keys:
                v = labels.get((k[0], k[1], sl))
                if v is None:
                    u += 1
                elif (v in ("ships", "true")) == right:
                    r += 1
                else:
                    w += 1
            return r, w, u
        mr, mw, mu = verdicts(only_m, True)
        # hadolint's extra findings: a label under the hadolint code judges hadolint's finding
        # itself; a shiplight label that says false/clean there says hadolint is wrong too
        hr = hw = hu = 0
        for k in only_h:
            v = labels.get((k[0], k[1], dl)) or labels.get((k[0], k[1], sl))
            if v is None:
                hu += 1
            elif v in ("clean", "false"):
                hr += 1
            else:
                hw += 1
        print(f"| {dl} | {sl} | {len(h & m)} | {len(only_m)} ({mr}/{mw}/{mu}) | {len(only_h)} ({hr}/{hw}/{hu}) |")


if __name__ == "__main__":
    if sys.argv[1] == "lay":
        lay(*sys.argv[2:5])
    elif sys.argv[1] == "ship-sample":
        print("\n".join(ship_sample(*sys.argv[2:4])))
    elif sys.argv[1] == "measure":
        measure(sys.argv[2], sys.argv[3:])
    elif sys.argv[1] == "precision":
        precision(sys.argv[2])
    else:
        split, args = take_split(sys.argv[2:])
        if sys.argv[1] == "sample":
            sample(*args[:3], split=split)
        elif sys.argv[1] == "hadolint":
            vs_hadolint(args[0], split=split)
        elif sys.argv[1] == "sample-hadolint":
            sample_hadolint(*args[:3], split=split)
        else:
            measure(args[0], args[1:] + ["--split", split])
