#!/usr/bin/env python3
"""The ship model against what the repositories' CI actually builds (issue 21).

  bench/ships.py [--split tuning|held-out|all] [--list]

For every repository of bench/ship-truth.tsv in the split (laid under bench/corpus-real by
bench/corpus.sh), runs `shiplight ships --format json` and compares, per Dockerfile of the
truth file, the role and the stages that ship. A truth role `none` (nothing builds it) is
matched by the model's default (no evidence: the last stage ships), by `ci-only`, or by
`development`: nothing in CI ships it, and the model must not claim it does on evidence.
Prints per repository: rows, role agreement, stage agreement, and every disagreement.
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


def main(argv):
    split = "tuning"
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
