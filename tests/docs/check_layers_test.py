#!/usr/bin/env python3
"""Tests scripts/check-layers on a made-up tree: the includes it accepts and the exact errors."""
import importlib.machinery
import importlib.util
import os
import sys
import tempfile
import unittest

SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "scripts",
                      "check-layers")
loader = importlib.machinery.SourceFileLoader("check_layers", SCRIPT)
spec = importlib.util.spec_from_loader("check_layers", loader)
check_layers = importlib.util.module_from_spec(spec)
loader.exec_module(check_layers)


def write(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


class CheckLayersTest(unittest.TestCase):
    def tree(self, tmp, low_cc):
        # low <- mid <- top (top links mid publicly, mid links low privately).
        write(tmp, "src/low/CMakeLists.txt", "statelog_library(low SOURCES low.cc)\n")
        write(tmp, "src/mid/CMakeLists.txt",
              "# a comment naming statelog::top is not a dependency\n"
              "statelog_library(mid SOURCES mid.cc\n  PRIVATE_DEPS statelog::low)\n")
        write(tmp, "src/top/CMakeLists.txt",
              "statelog_library(top SOURCES top.cc DEPS statelog::mid)\n")
        write(tmp, "src/low/low.cc", low_cc)
        write(tmp, "src/low/helper.h", "")
        write(tmp, "src/mid/mid.cc", '#include "statelog/low.h"\n#include "low/helper.h"\n')
        write(tmp, "src/top/top.cc",
              '#include "statelog/mid.h"\n#include "mid/mid.h"\n#include "statelog/low.h"\n')
        write(tmp, "src/mid/mid.h", "")
        write(tmp, "include/statelog/low.h", "")
        write(tmp, "include/statelog/mid.h", '#include "statelog/low.h"\n')
        return check_layers.check(tmp, {"low": ["low.h"], "mid": ["mid.h"]})

    def test_reports_each_kind_of_violation(self):
        with tempfile.TemporaryDirectory() as tmp:
            problems, files, targets = self.tree(tmp, '#include "mid/mid.h"\n')
        self.assertEqual(problems, [
            # mid's header includes low's, but mid links low only privately.
            "include/statelog/mid.h:1: includes statelog/low.h (target low), which target mid "
            "does not link publicly",
            "src/low/low.cc:1: includes mid/mid.h (target mid), which target low does not link",
            "src/top/top.cc:3: includes statelog/low.h (target low), which target top does not "
            "link",
            "src/: the folders low, mid include each other",
        ])
        self.assertEqual((files, targets), (7, 3))

    def test_accepts_includes_down_the_layers(self):
        with tempfile.TemporaryDirectory() as tmp:
            problems, _, _ = self.tree(tmp, '#include "low/helper.h"\n')
        self.assertEqual(problems, [
            "include/statelog/mid.h:1: includes statelog/low.h (target low), which target mid "
            "does not link publicly",
            "src/top/top.cc:3: includes statelog/low.h (target low), which target top does not "
            "link",
        ])

    def test_internals_in_a_public_header(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.tree(tmp, "")
            write(tmp, "include/statelog/low.h",
                  "class A {\n  std::mutex mu_;\n  friend class B;  // see src/low/b.h\n};\n")
            problems, _, _ = check_layers.check(tmp, {"low": ["low.h"], "mid": ["mid.h"]})
        self.assertEqual([p for p in problems if "public header" in p and "low.h" in p], [
            "include/statelog/low.h:2: std::mutex in a public header",
            "include/statelog/low.h:3: friend class in a public header",
        ])

    def test_a_header_no_target_owns(self):
        with tempfile.TemporaryDirectory() as tmp:
            write(tmp, "include/statelog/stray.h", "")
            problems, _, _ = self.tree(tmp, "")
        self.assertIn("include/statelog/stray.h: no target owns it (add it to scripts/"
                      "check-layers)", problems)


if __name__ == "__main__":
    unittest.main()
