#!/usr/bin/env python3
"""Tests markdown_links.py on a made-up tree: which links it accepts and the exact errors."""
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import markdown_links  # noqa: E402


class BadLinksTest(unittest.TestCase):
    def test_each_kind_of_link(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = os.path.join(tmp, "repo")
            os.makedirs(os.path.join(root, "docs"))
            open(os.path.join(tmp, "outside.md"), "w").close()
            open(os.path.join(root, "README.md"), "w").close()
            with open(os.path.join(root, "docs", "a.md"), "w") as f:
                f.write("[up](../README.md#top) [self](#x) [web](https://example.org/a.md)\n"
                        "[out](../../outside.md) [abs](/etc/passwd) [gone](b.md)\n"
                        "`[code](../../outside.md)`\n"
                        "```\n[fenced](../../outside.md)\n```\n"
                        "![img](missing.png)\n"
                        "[ref]: ../../outside.md\n")
            got = list(markdown_links.bad_links(root, "docs/a.md"))
        self.assertEqual(got, [
            "docs/a.md:2: ../../outside.md: points outside the repository",
            "docs/a.md:2: /etc/passwd: not a relative link",
            "docs/a.md:2: b.md: no such file",
            "docs/a.md:7: missing.png: no such file",
            "docs/a.md:8: ../../outside.md: points outside the repository",
        ])


class MarkdownFilesTest(unittest.TestCase):
    def test_tree_without_git(self):
        """A source tarball has no .git: the files are found by a walk that skips hidden and
        ignored top-level directories."""
        with tempfile.TemporaryDirectory() as root:
            for rel in ("README.md", "docs/adr/0001.md", "docs/notes.txt", "build-asan/x.md",
                        ".hidden/y.md", "out/z.md", "src/out/kept.md"):
                os.makedirs(os.path.join(root, os.path.dirname(rel)), exist_ok=True)
                open(os.path.join(root, rel), "w").close()
            with open(os.path.join(root, ".gitignore"), "w") as f:
                f.write("/build*/\n/out/\n*.profraw\n")
            self.assertEqual(markdown_links.markdown_files(root),
                             ["README.md", "docs/adr/0001.md", "src/out/kept.md"])


if __name__ == "__main__":
    unittest.main()
