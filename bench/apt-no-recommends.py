#!/usr/bin/env python3
"""Derive templates/apt-no-recommends.txt: the packages of Debian bookworm's main archive
(amd64) that `apt-get install` without `--no-install-recommends` installs no recommended
package for, on a base image: neither the package nor anything of its dependency closure
(Depends and Pre-Depends, the first of alternatives, a virtual package by its first
provider) has a Recommends field, where the closure stops at what every Debian image already
has (the required and essential packages and their own closure, installed before).
SL302 (no-install-recommends) is silent on an install that names only such packages: the
flag would change nothing.

    curl -sO http://deb.debian.org/debian/dists/bookworm/main/binary-amd64/Packages.xz
    xz -dc Packages.xz | python3 bench/apt-no-recommends.py > templates/apt-no-recommends.txt
"""
import re
import sys


def fields(block):
    f, key = {}, None
    for line in block.split("\n"):
        if not line:
            continue
        if line[0] == " " and key:
            f[key] += line
        elif ":" in line:
            key, value = line.split(":", 1)
            f[key] = value.strip()
    return f


def main():
    deps, recommends, names, provides, required = {}, set(), set(), {}, set()
    for block in sys.stdin.read().split("\n\n"):
        f = fields(block)
        name = f.get("Package")
        if not name:
            continue
        names.add(name)
        if f.get("Priority") == "required" or f.get("Essential") == "yes":
            required.add(name)
        if "Recommends" in f:
            recommends.add(name)
        deps[name] = [re.split(r"[\s(:]", alt.split("|")[0].strip())[0]
                      for field in ("Depends", "Pre-Depends")
                      for alt in f.get(field, "").split(",") if alt.strip()]
        for p in f.get("Provides", "").split(","):
            p = re.split(r"[\s(]", p.strip())[0]
            if p:
                provides.setdefault(p, []).append(name)
    # what every image has: the required and essential packages with their closure
    base, todo = set(), list(required)
    while todo:
        n = todo.pop()
        if n in base:
            continue
        if n not in names:
            todo.extend(provides.get(n, [])[:1])
            continue
        base.add(n)
        todo.extend(deps[n])
    sys.setrecursionlimit(100000)
    memo = {}

    def brings(n, stack=()):
        """Whether installing n installs a recommended package."""
        if n in memo:
            return memo[n]
        if n in base:
            return False
        if n not in names:
            prov = provides.get(n)
            memo[n] = brings(prov[0], stack) if prov else True
            return memo[n]
        if n in recommends:
            memo[n] = True
            return True
        if n in stack:
            return False
        memo[n] = False
        memo[n] = any(brings(d, stack + (n,)) for d in deps[n])
        return memo[n]

    print("# Debian bookworm (main, amd64) packages whose install brings no recommended package;")
    print("# derived by bench/apt-no-recommends.py from the archive's Packages index.")
    for n in sorted(names):
        if not brings(n):
            print(n)


if __name__ == "__main__":
    main()
