#!/usr/bin/env python3
"""The ship model against what the repositories' CI actually builds (issue 21).

  bench/ships.py [--split tuning|held-out|all] [--list]
  bench/ships.py --findings BEFORE_BINARY [--split …]


For every repository of bench/ship-truth.tsv in the split (laid under bench/corpus-real by
bench/corpus.sh), runs `shiplight ships --format json` and compares, per Dockerfile of the
truth file, the role and the stages that ship. A truth role `none` (nothing builds it) is
matched by the model's default (no evidence: the last stage ships), by `ci-only`, or by
`development`: nothing in CI ships it, and the model must not claim it does on evidence.
Prints per repository: rows, role agreement, stage agreement, and every disagreement.
With --findings, per repository of the split: the findings of the rules about what ships
(SL101-SL104) and of all rules, with BEFORE_BINARY (a shiplight without the ship model) and
with this one, and every Dockerfile whose stages' roles the model changed from the default
(the last stage ships): its role, shipped stages and strongest evidence.
Never fails on a figure."""
import collections
import json
import os
import subprocess
import sys

SHIPLIGHT = os.environ.get("SHIPLIGHT", "target/release/shiplight")
CORPUS = "bench/corpus-real"


def splits():
    out = {}
    for line in open("bench/corpus-sources.txt"):
        if line.startswith("#") or not line.strip():
            continue
        parts = line.split()
        out[parts[0]] = parts[3] if len(parts) > 3 else "tuning"
    return out


def truth():
    rows = collections.defaultdict(list)
    for line in open("bench/ship-truth.tsv"):
        if line.startswith("#") or not line.strip():
            continue
        repo, dockerfile, role, stage, *why = line.rstrip("\n").split("\t")
        rows[repo].append((dockerfile, role, stage, why[0] if why else ""))
    return rows


def model(repo):
    path = os.path.join(CORPUS, repo.replace("/", "+"))
    r = subprocess.run([SHIPLIGHT, "ships", "--format", "json", path], capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    return json.loads(r.stdout), ""


def stages_of(entry):
    """The shipped stages as names, else indices (what the truth file writes)."""
    out = []
    for t in entry["shipped"]:
        st = next((s for s in entry["stages"] if s["name"] == t or str(s["index"]) == t), None)
        out.append((st["name"] or str(st["index"])) if st else str(t))
    return out


def agrees(role, model_entry):
    got = model_entry["role"]
    if role == "none":
        # nothing builds it: the model must not ship it on evidence
        return model_entry["default"] or got in ("ci-only", "development")
    return got == role


def lint(binary, files, env=None):
    found = []
    for i in range(0, len(files), 200):
        r = subprocess.run([binary, "lint", "--format", "json", *files[i:i + 200]], capture_output=True, text=True, env=env)
        found += json.loads(r.stdout or "[]")
    return found


def findings(before, split):
    sp = splits()
    shipping = {"SL101", "SL102", "SL103", "SL104"}
    tot = collections.Counter()
    for repo in sorted(r for r, s in sp.items() if split == "all" or s == split):
        base = os.path.join(CORPUS, repo.replace("/", "+"))
        if not os.path.isdir(base):
            continue
        files = sorted(os.path.join(d, f) for d, _, fs in os.walk(base) for f in fs
                       if f == "Dockerfile" or f.startswith("Dockerfile.") or f.endswith((".Dockerfile", ".dockerfile")))
        files = [f for f in files if not f.endswith((".template", ".tmpl", ".j2", ".hbs", ".erb", ".md", ".dockerignore"))]
        if not files:
            continue
        b, a = lint(before, files), lint(SHIPLIGHT, files)
        c = collections.Counter()
        c["ship_before"] = sum(f["code"] in shipping for f in b)
        c["ship_after"] = sum(f["code"] in shipping for f in a)
        c["all_before"], c["all_after"] = len(b), len(a)
        tot += c
        print(f"{repo} ({sp[repo]}): {len(files)} Dockerfiles; SL101-SL104 {c['ship_before']} -> {c['ship_after']}; "
              f"all rules {c['all_before']} -> {c['all_after']}")
        listing, err = model(repo)
        if listing is None:
            print(f"  shiplight ships failed: {err[:200]}")
            continue
        for e in listing["dockerfiles"]:
            if e["default"]:
                continue
            ev = e["evidence"][0] if e["evidence"] else {}
            where = f"{ev.get('file', '')}:{ev.get('line', 0)}" if ev.get("file") else "its own ENTRYPOINT/CMD"
            print(f"  {e['dockerfile']}: {e['role']}, ships {','.join(e['shipped']) or 'nothing'} ({where}: {ev.get('says', '')[:100]})")
    print(f"all ({split}): SL101-SL104 {tot['ship_before']} -> {tot['ship_after']}; all rules {tot['all_before']} -> {tot['all_after']}")


def main(argv):
    split = "tuning"
    if "--findings" in argv:
        if "--split" in argv:
            split = argv[argv.index("--split") + 1]
        return findings(argv[argv.index("--findings") + 1], split)
    if "--split" in argv:
        split = argv[argv.index("--split") + 1]
    show = "--list" in argv
    sp = splits()
    total = collections.Counter()
    for repo, rows in sorted(truth().items()):
        if split != "all" and sp.get(repo) != split:
            continue
        listing, err = model(repo)
        if listing is None:
            print(f"{repo}: shiplight ships failed: {err[:200]}")
            continue
        by_file = {e["dockerfile"]: e for e in listing["dockerfiles"]}
        c = collections.Counter()
        wrong = []
        for dockerfile, role, stage, why in rows:
            e = by_file.get(dockerfile)
            if e is None:
                wrong.append(f"  {dockerfile}: not listed (expected {role})")
                c["rows"] += 1
                continue
            c["rows"] += 1
            ok_role = agrees(role, e)
            c["role"] += ok_role
            want = [s.strip() for s in stage.split(",")] if stage not in ("-", "") else []
            got = stages_of(e) if e["role"] in ("ships", "toolchain-product") else []
            ok_stage = sorted(want) == sorted(got) or role == "none"
            c["stage"] += ok_stage and ok_role
            if not (ok_role and ok_stage):
                ev = "; ".join(x["says"][:90] for x in e["evidence"][:2])
                wrong.append(f"  {dockerfile}: expected {role} {stage}, got {e['role']} {','.join(got) or '-'}"
                             f"{' (default)' if e['default'] else ''}: {ev}")
        total += c
        print(f"{repo} ({sp.get(repo)}): {c['rows']} rows, role {c['role']}/{c['rows']}, "
              f"role and stages {c['stage']}/{c['rows']}; {len(listing['notes'])} notes"
              f"{'' if listing['bake_printed'] else ''}")
        if show or wrong:
            for w in wrong:
                print(w)
    if total["rows"]:
        print(f"all ({split}): {total['rows']} rows; role {100 * total['role'] / total['rows']:.1f} %, "
              f"role and stages {100 * total['stage'] / total['rows']:.1f} %")


if __name__ == "__main__":
    main(sys.argv[1:])
