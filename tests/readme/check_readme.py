#!/usr/bin/env python3
"""Checks that every snippet of tests/readme/tour_test.cpp (between "// [tour:NAME]" and
"// [/tour]") appears verbatim, dedented, as a ```cpp block of README.md, and that README.md has no
tour block without its compiled twin. Usage: check_readme.py README.md tour_test.cpp"""
import re
import sys
import textwrap


def snippets(test_source):
    out = {}
    for m in re.finditer(r"^[ \t]*// \[tour:([a-z_]+)\]\n(.*?)^[ \t]*// \[/tour\]", test_source, re.S | re.M):
        out[m.group(1)] = textwrap.dedent(m.group(2)).strip("\n")
    return out


def readme_blocks(readme):
    # Tour blocks are marked with an HTML comment right before the fence: <!-- tour:NAME -->
    return {m.group(1): m.group(2).strip("\n")
            for m in re.finditer(r"<!-- tour:([a-z_]+) -->\n```cpp\n(.*?)```", readme, re.S)}


def main():
    readme = open(sys.argv[1], encoding="utf-8").read()
    test = open(sys.argv[2], encoding="utf-8").read()
    compiled, shown = snippets(test), readme_blocks(readme)
    errors = []
    for name, code in compiled.items():
        if name not in shown:
            errors.append(f"README.md lacks the tour block '{name}' (<!-- tour:{name} --> before a ```cpp fence)")
        elif shown[name] != code:
            errors.append(f"README.md's tour block '{name}' differs from tests/readme/tour_test.cpp")
    for name in shown:
        if name not in compiled:
            errors.append(f"README.md's tour block '{name}' has no compiled twin in tests/readme/tour_test.cpp")
    if not compiled:
        errors.append("no snippet found in the test file")
    for e in errors:
        print("check_readme:", e, file=sys.stderr)
    print(f"check_readme: {len(compiled)} snippets, {len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
