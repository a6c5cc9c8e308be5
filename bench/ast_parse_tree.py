"""The reference of bench_analyze.py: read and `ast.parse` every `.py` file under ROOT, as a whole process.

    python bench/ast_parse_tree.py ROOT

Every `.py` file found by `os.walk` (nothing skipped), in sorted order; files the running interpreter cannot parse
are counted, not fatal. Prints "<files> files, <errors> syntax errors" to stdout.
"""

import ast
import os
import sys


def main(root: str) -> int:
    paths = []
    for directory, dirs, names in os.walk(root):
        dirs.sort()
        paths += [os.path.join(directory, name) for name in sorted(names) if name.endswith(".py")]
    errors = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = handle.read()
        try:
            ast.parse(data, filename=path)
        except (SyntaxError, ValueError):
            errors += 1
    print(f"{len(paths)} files, {errors} syntax errors")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
