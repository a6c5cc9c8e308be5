"""The dead-code analysis over `RepoSummaries` (files summarised as the analysis asks, found by a byte scan) decides
exactly as over the summaries of every file, for every form of reference, and leaves unrelated files unparsed."""

from __future__ import annotations

from codemods._deadcode import DeadCode, RepoSummaries

FILES = {
    "svc/__init__.py": "",
    "svc/util.py": (
        "def by_import():\n    return 1\n\n\ndef by_chain():\n    return 2\n\n\n"
        "def by_relative():\n    return 3\n\n\ndef dead_one():\n    return by_helper()\n\n\n"
        "def by_helper():\n    return 4\n"
    ),
    "svc/starred.py": "def anything():\n    return 5\n",
    "svc/pkg/__init__.py": "def pkg_helper():\n    return 6\n\n\ndef pkg_dead():\n    return 7\n",
    "svc/pkg/user.py": "from . import pkg_helper\n\nVALUE = pkg_helper()\n",  # names no package: relative
    "svc/a.py": "from svc.util import by_import\n\nA = by_import()\n",
    "svc/b.py": "import svc\n\nB = svc.util.by_chain()\n",
    "svc/c.py": "from .util import by_relative\n\nC = by_relative()\n",
    "svc/d.py": "from svc.starred import *\n\nD = anything()\n",
    **{f"svc/noise/n{i}.py": f"def unrelated_{i}(x):\n    return [x] * {i}\n" for i in range(20)},
    "svc/noise/__init__.py": "",
    "svc/broken.py": "def oops(:\n",
}
CANDIDATES = {"svc/util.py": {"by_import", "by_chain", "by_relative", "dead_one"},
              "svc/starred.py": {"anything"}, "svc/pkg/__init__.py": {"pkg_helper", "pkg_dead"}}


def _repo(tmp_path):
    for path, source in FILES.items():
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text(source, encoding="utf-8")
    return tmp_path


def test_the_lazy_analysis_decides_as_the_eager_one_and_parses_only_what_it_asks_for(tmp_path):
    root = _repo(tmp_path)
    lazy = RepoSummaries(root)
    decided = DeadCode(lazy).run(CANDIDATES, roots=[("svc/util.py", "by_import")])
    eager = DeadCode(dict(RepoSummaries(root))).run(CANDIDATES, roots=[("svc/util.py", "by_import")])
    assert decided == eager
    assert decided.dead == {"svc/util.py": {"dead_one", "by_helper"}, "svc/pkg/__init__.py": {"pkg_dead"}}
    assert decided.kept[("svc/util.py", "by_import")] == ["svc/a.py"]
    assert lazy.parsed() < len(FILES) - 20  # none of the noise modules was parsed
    assert not any(path.startswith("svc/noise/n") for path in lazy._summaries)


def test_mentioning_finds_words_and_relative_imports_inside_a_package(tmp_path):
    root = _repo(tmp_path)
    summaries = RepoSummaries(root, {"svc/a.py": "A = 1\n", "svc/c.py": None})
    assert summaries.mentioning("svc.util") == ["svc/b.py"]  # a.py as overridden, c.py deleted
    assert summaries.mentioning("svc.pkg") == ["svc/pkg/user.py"]  # `from . import`, inside the package
    assert "svc/c.py" not in summaries and summaries["svc/broken.py"].units == []  # opaque: does not parse
