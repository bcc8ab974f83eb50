#!/usr/bin/env python3
"""Checks every relative link of every Markdown file in the repository: it must resolve to an
existing file or directory inside the repository (an optional #anchor is ignored). Absolute
paths, file: URLs and paths that leave the repository are errors; web links (http, https,
mailto) are not checked. Prints one line per bad link and exits 1 if there is any.
Usage: markdown_links.py REPO_ROOT"""
import fnmatch
import os
import re
import shutil
import subprocess
import sys

# [text](target) and [text](target "title"); images too. Reference definitions: [id]: target.
INLINE = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
WEB = ("http://", "https://", "mailto:")


def markdown_files(root):
    """The repository's Markdown files: git's list in a checkout, else (a source tarball, or no
    git installed) a walk of the tree that skips hidden directories and the top-level directories
    .gitignore names (build directories, stores)."""
    if shutil.which("git") and os.path.exists(os.path.join(root, ".git")):
        out = subprocess.run(["git", "-C", root, "ls-files", "--cached", "--others",
                              "--exclude-standard", "*.md"],
                             check=True, capture_output=True, text=True).stdout
        return [line for line in out.splitlines() if line]
    ignored = []
    try:
        with open(os.path.join(root, ".gitignore"), encoding="utf-8") as f:
            # Anchored directory patterns only ("/build*/"): the ones that hold a tree.
            ignored = [p.strip()[1:-1] for p in f if re.match(r"^/[^/]+/\s*$", p)]
    except FileNotFoundError:
        pass
    found = []
    for top, dirs, files in os.walk(root):
        rel_top = os.path.relpath(top, root)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (
            rel_top == "." and any(fnmatch.fnmatchcase(d, p) for p in ignored)))
        found += [os.path.normpath(os.path.join(rel_top, f)) for f in files if f.endswith(".md")]
    return sorted(found)


def bad_links(root, rel):
    path = os.path.join(root, rel)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Code is not a link; blanking it keeps the line numbers.
    blank = lambda m: "\n" * m.group(0).count("\n")  # noqa: E731
    text = CODE.sub(blank, FENCE.sub(blank, text))
    real_root = os.path.realpath(root)
    for match in list(INLINE.finditer(text)) + list(REFERENCE.finditer(text)):
        target = match.group(1)
        line = text.count("\n", 0, match.start()) + 1
        if target.startswith(WEB) or target.startswith("#"):
            continue
        where = f"{rel}:{line}: {target}"
        if target.startswith("/") or target.startswith("file:") or re.match(r"^[a-z]+:", target):
            yield f"{where}: not a relative link"
            continue
        file_part = target.split("#", 1)[0]
        resolved = os.path.realpath(os.path.join(os.path.dirname(path), file_part))
        if os.path.commonpath([resolved, real_root]) != real_root:
            yield f"{where}: points outside the repository"
        elif not os.path.exists(resolved):
            yield f"{where}: no such file"


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    root = sys.argv[1]
    files = markdown_files(root)
    errors = [e for rel in files for e in bad_links(root, rel)]
    for e in errors:
        print(e)
    print(f"{len(files)} Markdown files, {len(errors)} bad links")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
