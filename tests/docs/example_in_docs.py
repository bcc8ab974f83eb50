#!/usr/bin/env python3
"""Checks that docs/api.md shows examples/ledger_example.cc as it is (its code after the leading
comment) in its "End-to-end example" section. Usage: example_in_docs.py REPO_ROOT"""
import os
import sys


def main():
    root = sys.argv[1]
    with open(os.path.join(root, "examples", "ledger_example.cc")) as f:
        lines = f.read().split("\n")
    while lines and lines[0].startswith("//"):
        lines.pop(0)
    code = "\n".join(lines).rstrip("\n") + "\n"
    with open(os.path.join(root, "docs", "api.md")) as f:
        doc = f.read()
    section = doc.find("## End-to-end example")
    begin = doc.find("```cpp\n", section)
    end = doc.find("```\n", begin + 7)
    if section < 0 or begin < 0 or end < 0:
        print("docs/api.md: no ```cpp block under \"## End-to-end example\"")
        return 1
    shown = doc[begin + 7:end]
    if shown != code:
        line = doc.count("\n", 0, begin) + 2
        for i, (a, b) in enumerate(zip(shown.split("\n"), code.split("\n"))):
            if a != b:
                print(f"docs/api.md:{line + i}: differs from examples/ledger_example.cc:\n"
                      f"  doc:  {a}\n  file: {b}")
                return 1
        print(f"docs/api.md:{line}: the example's length differs from examples/ledger_example.cc")
        return 1
    print("docs/api.md shows examples/ledger_example.cc")
    return 0


sys.exit(main())
