#!/usr/bin/env python3
"""Derive templates/runtime-libs-releases.tsv: the runtime package each `-dev` package of
templates/runtime-libs.tsv links on each Debian and Ubuntu release whose naming differs from
the table's (bookworm's). Read from the releases' own Packages indexes: a -dev package
depends on its runtime library with an exact version (`libssl-dev: Depends: libssl3 (= …)`);
a transitional or virtual -dev package is followed to the one it stands for.

    python3 bench/runtime-libs-releases.py DIR > templates/runtime-libs-releases.tsv

DIR holds the indexes as deb-<release>.xz (Debian main) and ub-<release>-{main,universe}.xz
(Ubuntu), fetched with:
    curl -o DIR/deb-bookworm.xz http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz
    curl -o DIR/ub-jammy-main.xz http://archive.ubuntu.com/ubuntu/dists/jammy/main/binary-amd64/Packages.xz
Buster and stretch are archived (archive.debian.org), unreachable here: their rows come from
--extra FILE (release, dev, runtime; tab-separated), written by hand and said so.

    python3 bench/runtime-libs-releases.py DIR --rows < names >> templates/runtime-libs.tsv

derives new rows of templates/runtime-libs.tsv itself, for the `-dev` packages named on stdin
that it lacks: the library bookworm's -dev package pins exactly, the one sharing the longest
stem with its name (`libgtk-3-dev` → `libgtk-3-0`). Alpine's and RPM's names cannot be read
from Debian's index: those columns are `?` (unknown, never guessed). A name with no such
library (headers, a metapackage) is left out.
"""
import lzma
import os
import re
import sys

DEBIAN = ["bullseye", "bookworm", "trixie", "forky", "sid"]
UBUNTU = ["xenial", "bionic", "focal", "jammy", "noble", "plucky", "questing", "resolute"]


def index(paths):
    pkgs, provides = {}, {}
    for p in paths:
        if not os.path.exists(p):
            continue
        for para in lzma.open(p, "rt", errors="replace").read().split("\n\n"):
            fields = {}
            for line in para.split("\n"):
                if ":" in line and not line.startswith(" "):
                    k, v = line.split(":", 1)
                    fields[k] = v.strip()
            name = fields.get("Package")
            if not name:
                continue
            pkgs.setdefault(name, fields.get("Depends", ""))
            for prov in fields.get("Provides", "").split(","):
                prov = prov.strip().split(" ")[0]
                if prov:
                    provides.setdefault(prov, []).append(name)
    return pkgs, provides


def deps(field):
    """(name, exact) per alternative-free dependency."""
    out = []
    for d in field.split(","):
        d = d.split("|")[0].strip()
        m = re.match(r"([a-z0-9.+-]+)(?::any)?\s*(\((=|>=|<<|>>|<=)\s*[^)]*\))?", d)
        if m:
            out.append((m.group(1), m.group(3) == "="))
    return out


def candidates(pkgs, provides, dev, seen=None):
    """The runtime libraries a -dev package pins exactly, following transitional packages."""
    seen = seen or set()
    if dev in seen:
        return []
    seen.add(dev)
    if dev not in pkgs:
        real = provides.get(dev, [])
        return [c for r in real[:1] for c in candidates(pkgs, provides, r, seen)]
    out = []
    ds = deps(pkgs[dev])
    for name, exact in ds:
        if exact and not name.endswith(("-dev", "-bin", "-common", "-doc", "-data")) and name.startswith("lib"):
            out.append(name)
    if not out:  # transitional: follow the -dev packages it depends on
        for name, _ in ds:
            if "-dev" in name:
                out.extend(candidates(pkgs, provides, name, seen))
    return out


def stem(a, b):
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return n


def rows_for(d, names):
    pkgs, provides = index([f"{d}/deb-bookworm.xz"])
    have = {l.split("\t")[0] for l in open("templates/runtime-libs.tsv") if not l.startswith("#") and l.strip()}
    for dev in names:
        if dev in have or not dev.endswith("-dev"):
            continue
        # the library named as the package is: `libaom-dev` → `libaom3`, `libreadline6-dev` →
        # `libreadline8`; a package of several (libboost-all-dev, libopencv-dev, libdrm-dev)
        # or of configuration (libmagickcore-dev) names none alone
        name = dev[: -len("-dev")]
        base = name.rstrip("0123456789.")
        found = {c for c in candidates(pkgs, provides, dev)
                 if c.startswith(base) and not c.endswith(("-config", "-headers"))}
        if len(found) == 1:
            print(f"{dev}\t{found.pop()}\t?\t?")


def main():
    d = sys.argv[1]
    if "--rows" in sys.argv:
        rows_for(d, sorted({l.strip() for l in sys.stdin if l.strip()}))
        return
    extra = sys.argv[sys.argv.index("--extra") + 1] if "--extra" in sys.argv else None
    rows = []
    for l in open("templates/runtime-libs.tsv"):
        if l.startswith("#") or not l.strip():
            continue
        f = l.rstrip("\n").split("\t")
        if f[1] != "-" and not f[0].endswith("-devel"):
            rows.append((f[0], f[1]))
    print("# The runtime package of a `-dev` package on a Debian or Ubuntu release whose naming differs")
    print("# from templates/runtime-libs.tsv (bookworm's): release, -dev package, runtime package.")
    print("# Derived from each release's Packages index by bench/runtime-libs-releases.py; buster's and")
    print("# stretch's rows (archived, not reachable to derive) are from its --extra file, by hand.")
    releases = [(r, [f"{d}/deb-{r}.xz"]) for r in DEBIAN] + [(r, [f"{d}/ub-{r}-main.xz", f"{d}/ub-{r}-universe.xz"]) for r in UBUNTU]
    for release, paths in releases:
        if release == "bookworm":
            continue
        pkgs, provides = index(paths)
        for dev, lib in rows:
            found = candidates(pkgs, provides, dev)
            if not found:
                continue
            best = max(found, key=lambda c: stem(c, lib))
            if stem(best, lib) >= 4 and best != lib:
                print(f"{release}\t{dev}\t{best}")
    if extra:
        for l in open(extra):
            if l.strip() and not l.startswith("#"):
                print(l.rstrip("\n"))


main()
