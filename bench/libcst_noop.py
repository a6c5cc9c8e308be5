"""The baseline of bench_apply.py: LibCST's own codemod runner executing a no-op codemod over FILES, as a process.

    python bench/libcst_noop.py ROOT FILE [FILE ...]

`libcst.codemod.parallel_exec_transform_with_prettyprint` (what `python -m libcst.tool codemod` runs) with a
`VisitorBasedCodemodCommand` that changes nothing, one process (`jobs=1`, as migrator's phases run): each file is
read, parsed, visited, printed back and compared; nothing is written because nothing changes.
"""

import sys

from libcst.codemod import VisitorBasedCodemodCommand, parallel_exec_transform_with_prettyprint


class NoOp(VisitorBasedCodemodCommand):
    DESCRIPTION = "changes nothing"


def main(root: str, files: list[str]) -> int:
    result = parallel_exec_transform_with_prettyprint(NoOp, files, jobs=1, repo_root=root, hide_progress=True,
                                                      hide_generated=True, hide_blacklisted=True)
    return 1 if result.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2:]))
