"""Imports: absolute import specs of the names a piece of code uses, and the order of a module's import block.

Codemods schedule import edits with LibCST's `AddImportsVisitor` / `RemoveImportsVisitor`; `sort_top_imports`
then puts the module's top import block in the order ruff's isort rules (`ruff check --select I`, default
settings, or `combine-as-imports` when the service's ruff sets it) expect, so that a migrated service gets no new
import findings. It only re-sorts a block that was sorted before the edit (a block with comments other than a
statement's own trailing one, or sorted by other rules, is left as the visitors made it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Callable, Iterable, Optional, Sequence

import libcst as cst
from libcst.helpers import calculate_module_and_package, get_absolute_module_from_package, get_full_name_for_node
from libcst.metadata import ImportAssignment

DEFAULT_LINE_LENGTH = 88  # ruff's default


def module_name_for(path: str) -> str:
    """Dotted module name of a file path relative to the import root (`advisor/routers/users.py`)."""
    return calculate_module_and_package("", str(PurePosixPath(path))).name


def package_for(path: str) -> str:
    return calculate_module_and_package("", str(PurePosixPath(path))).package


@dataclass(frozen=True, order=True)
class ImportSpec:
    """One imported name: ``from module import name as asname`` or, with name None, ``import module as asname``."""

    module: str
    name: Optional[str] = None
    asname: Optional[str] = None

    @property
    def bound_name(self) -> str:
        if self.asname:
            return self.asname
        if self.name:
            return self.name
        return self.module.split(".")[0]


def _asname(alias: cst.ImportAlias) -> Optional[str]:
    return alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None


def import_spec_for(assignment: ImportAssignment, current_module: str, is_package: bool = False) -> ImportSpec:
    """The absolute import that binds `assignment.name` the same way the source module does."""
    node = assignment.node
    bound = assignment.name
    if isinstance(node, cst.Import):
        for alias in node.names:
            full = get_full_name_for_node(alias.name) or ""
            asname = _asname(alias)
            if asname == bound:
                return ImportSpec(full, None, asname)
            if asname is None and full.split(".")[0] == bound:
                return ImportSpec(full, None, None)
        raise ValueError(f"import of {bound!r} not found")
    assert isinstance(node, cst.ImportFrom)
    package = current_module if is_package else current_module.rpartition(".")[0]
    module = get_full_name_for_node(node.module) if node.module else None
    absolute = get_absolute_module_from_package(package or None, module, len(node.relative))
    if absolute is None:
        raise ValueError(f"the relative import of {bound!r} goes above the top-level package")
    if isinstance(node.names, cst.ImportStar):
        raise ValueError(f"{bound!r} comes from a star import")
    for alias in node.names:
        name = get_full_name_for_node(alias.name) or ""
        asname = _asname(alias)
        if (asname or name) == bound:
            return ImportSpec(absolute, name, asname)
    raise ValueError(f"import of {bound!r} not found")


# --- ruff's isort order ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportStyle:
    """How the target's imports are sorted: which modules are first party, and the line length."""

    first_party: Callable[[str], bool]
    line_length: int = DEFAULT_LINE_LENGTH
    combine_as: bool = False  # ruff's `lint.isort.combine-as-imports`: aliased names join their module's import

    @classmethod
    def for_root(cls, root: Path, created: Iterable[str] = ()) -> "ImportStyle":
        """ruff's defaults for a project at `root`: a module is first party when `root/<its path>` exists (a
        directory or a .py file), counting the files a phase creates; the line length its ruff or black settings
        give (`_line_length`)."""
        made = {PurePosixPath(p).with_suffix("").as_posix() for p in created}
        made |= {PurePosixPath(p).parent.as_posix() for p in created}

        def first_party(module: str) -> bool:
            rel = module.replace(".", "/")
            return rel in made or (root / rel).is_dir() or (root / f"{rel}.py").is_file()

        folders = _config_folders(root)
        ruff = _ruff_config(folders)  # found once: every setting below is read from it
        combine = _ruff_setting(ruff, ("lint", "isort", "combine-as-imports")) or _ruff_setting(
            ruff, ("isort", "combine-as-imports"))
        return cls(first_party, _line_length(folders, ruff), combine is True)


def _line_length(folders: list[Path], ruff: Optional[tuple[Path, dict]]) -> int:
    """The line length the service formats with: ruff's `line-length`, read as ruff reads it (`_ruff_config`: the
    closest `.ruff.toml`, `ruff.toml` or `pyproject.toml` with a `[tool.ruff]` table, from the root up; `extend`
    followed), else black's (`[tool.black] line-length` of the closest pyproject.toml: black reads no other file),
    else ruff's default. The search goes up to the repository's root (a `.git` or `.hg` directory), so a service
    analysed from its `src/` reads the configuration beside it; outside a repository only the root itself is read."""
    from ._target import read_toml, toml_table

    width = _ruff_setting(ruff, ("line-length",))
    if width is None:
        for folder in folders:
            data = read_toml(folder / "pyproject.toml")
            if data is not None:
                width = toml_table(data, "tool", "black").get("line-length")
                break
    return width if isinstance(width, int) and not isinstance(width, bool) else DEFAULT_LINE_LENGTH


def _config_folders(root: Path) -> list[Path]:
    """`root` and its parents up to the repository's root; `root` alone outside a repository."""
    root = root.resolve()
    for end, folder in enumerate([root, *root.parents]):
        if (folder / ".git").exists() or (folder / ".hg").exists():
            return [root, *root.parents][: end + 1]
    return [root]


def _ruff_config(folders: list[Path]) -> Optional[tuple[Path, dict]]:
    """(file, its ruff settings) of the closest ruff configuration, or None (ruff reads only the closest file)."""
    from ._target import read_toml, toml_table

    for folder in folders:
        for name, table in ((".ruff.toml", ()), ("ruff.toml", ()), ("pyproject.toml", ("tool", "ruff"))):
            data = read_toml(folder / name)
            settings = toml_table(data, *table) if data is not None else {}
            if data is None or (table and not settings):
                continue  # missing, or a pyproject.toml without a ruff table: ruff looks further
            return folder / name, settings
    return None


def _ruff_setting(config: Optional[tuple[Path, dict]], keys: tuple[str, ...], depth: int = 0) -> object:
    """The value at `keys` (`("lint", "isort", "combine-as-imports")`) in a ruff configuration, or in the one it
    `extend`s (relative to its folder); None when neither sets it, or there is no configuration."""
    from ._target import read_toml, toml_table

    if config is None:
        return None
    path, settings = config
    value: object = settings
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
    if value is not None:
        return value
    base = settings.get("extend")
    if not isinstance(base, str) or depth >= 8:
        return None
    target = (path.parent / Path(base).expanduser()).resolve()
    data = read_toml(target)
    if data is None:
        return None
    table = toml_table(data, "tool", "ruff") if target.name == "pyproject.toml" else data
    return _ruff_setting((target, table), keys, depth + 1)


@dataclass(frozen=True)
class _Straight:
    module: str
    asname: Optional[str]
    comment: str = ""  # the statement's trailing comment (a noqa directive, say), kept on its line


@dataclass(frozen=True)
class _From:
    level: int
    module: str  # "" for `from . import x`
    names: tuple[tuple[str, Optional[str]], ...]
    exploded: bool = False  # written one name a line with a trailing comma (ruff keeps it that way)
    comment: str = ""  # the statement's trailing comment, kept on its line


def _member_key(name: str) -> tuple:
    kind = 0 if len(name) > 1 and name.isupper() else 1 if name[:1].isupper() else 2
    return kind, name.lower(), name


def _section(stmt: _Straight | _From, style: ImportStyle) -> int:
    module = stmt.module
    if isinstance(stmt, _From) and stmt.level:
        return 4
    top = module.split(".")[0]
    if top == "__future__":
        return 0
    if top in sys.stdlib_module_names:
        return 1
    return 3 if style.first_party(module) else 2


_EMPTY = cst.Module([])


def _parse_block(statements: Sequence[cst.SimpleStatementLine]) -> Optional[list[_Straight | _From]]:
    """The block's imports, or None when it holds anything `render` could not reproduce (comments above or inside a
    statement, `;`; a trailing comment only on a one-line statement alone for its module)."""
    out: list[_Straight | _From] = []
    for index, stmt in enumerate(statements):
        if len(stmt.body) != 1 or "#" in _EMPTY.code_for_node(stmt.body[0]):
            return None  # several statements on a line, or comments (import statements hold no strings)
        if any(line.comment is not None for line in stmt.leading_lines[0 if index else len(stmt.leading_lines):]):
            return None
        comment = stmt.trailing_whitespace.comment.value if stmt.trailing_whitespace.comment is not None else ""
        node = stmt.body[0]
        if isinstance(node, cst.Import):
            if comment and len(node.names) > 1:
                return None
            out += [_Straight(get_full_name_for_node(a.name) or "", _asname(a), comment) for a in node.names]
        elif isinstance(node, cst.ImportFrom):
            if isinstance(node.names, cst.ImportStar):
                return None
            if comment and (node.lpar is not None or any(a.asname is not None for a in node.names)):
                return None  # a comment on a wrapped or aliased import: ruff's placement is not reproduced
            names = tuple((get_full_name_for_node(a.name) or "", _asname(a)) for a in node.names)
            exploded = node.lpar is not None and isinstance(node.names[-1].comma, cst.Comma)
            module = get_full_name_for_node(node.module) if node.module else ""
            out.append(_From(len(node.relative), module, names, exploded, comment))
        else:
            return None
    return out if _comments_stay_alone(out) else None


def _comments_stay_alone(imports: list[_Straight | _From]) -> bool:
    """Whether every commented statement is the only one of its module (ruff would merge it with another and move
    its comment: what `render_imports` does not reproduce)."""
    commented = {(getattr(i, "level", -1), i.module) for i in imports if i.comment}
    seen = [(getattr(i, "level", -1), i.module) for i in imports]
    return all(seen.count(key) == 1 for key in commented)


def _render_from(level: int, module: str, names: list[tuple[str, Optional[str]]], exploded: bool,
                 line_length: int, comment: str = "") -> str:
    head = f"from {'.' * level}{module} import "
    items = [f"{n} as {a}" if a else n for n, a in names]
    one_line = head + ", ".join(items)
    if comment:  # kept alone on one line (a longer or exploded one was not parsed: `_parse_block`)
        return f"{one_line}  {comment}"
    if len(one_line) <= line_length and not exploded:
        return one_line
    return head + "(\n" + "".join(f"    {item},\n" for item in items) + ")"


def render_imports(imports: Sequence[_Straight | _From], style: ImportStyle) -> str:
    """The block as ruff's isort rules write it (default settings, or `combine-as-imports` when `style` says so)."""
    sections: dict[int, list] = {}
    for item in imports:
        sections.setdefault(_section(item, style), []).append(item)
    blocks = []
    for key in sorted(sections):
        straight = sorted({i for i in sections[key] if isinstance(i, _Straight)},
                          key=lambda i: (i.module.lower(), i.module, (i.asname or "").lower()))
        merged: dict[tuple[int, str], dict] = {}
        aliased: dict[tuple[int, str, str, str], bool] = {}
        froms = []
        for item in sections[key]:
            if not isinstance(item, _From):
                continue
            if item.comment:  # alone for its module and without aliases (`_parse_block`): one line as written
                names = sorted((n for n, _a in item.names), key=_member_key)
                froms.append(((-item.level, item.module.lower(), item.module, _member_key(names[0]), ""),
                              _render_from(item.level, item.module, [(n, None) for n in names], False, 0,
                                           item.comment)))
                continue
            for name, asname in item.names:
                if asname and not style.combine_as:
                    key4 = (item.level, item.module, name, asname)
                    aliased[key4] = aliased.get(key4, False) or item.exploded
                else:
                    entry = merged.setdefault((item.level, item.module), {"names": set(), "exploded": False})
                    entry["names"].add((name, asname))
                    entry["exploded"] |= item.exploded
        for (level, module), entry in merged.items():
            names = sorted(entry["names"], key=lambda pair: (_member_key(pair[0]), pair[1] or ""))
            froms.append(((-level, module.lower(), module, _member_key(names[0][0]), ""),
                          _render_from(level, module, names, entry["exploded"], style.line_length)))
        for (level, module, name, asname), exploded in aliased.items():
            froms.append(((-level, module.lower(), module, _member_key(name), asname),
                          _render_from(level, module, [(name, asname)], exploded, style.line_length)))
        lines = [(f"import {i.module} as {i.asname}" if i.asname else f"import {i.module}")
                 + (f"  {i.comment}" if i.comment else "") for i in straight]
        lines += [text for _key, text in sorted(froms)]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def top_import_block(body: Sequence[cst.BaseStatement]) -> tuple[int, int]:
    """(start, end) indexes of the module's first import block (after a docstring and `__future__` imports)."""
    start = 1 if body and is_docstring(body[0]) else 0
    end = start
    while end < len(body) and is_import_line(body[end]):
        end += 1
    return start, end


def is_import_line(stmt: cst.CSTNode) -> bool:
    """A line of import statements only."""
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(small, (cst.Import, cst.ImportFrom)) for small in stmt.body)


def is_docstring(stmt: cst.CSTNode) -> bool:
    """Whether a statement is a bare string: a module's or a function's docstring when it comes first."""
    return (isinstance(stmt, cst.SimpleStatementLine) and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _block_code(module: cst.Module, statements: Sequence[cst.SimpleStatementLine]) -> str:
    if not statements:
        return ""
    first = statements[0].with_changes(leading_lines=())
    code = "".join(module.code_for_node(s) for s in [first, *statements[1:]])
    return code.replace("\r\n", "\n").rstrip("\n")


def top_block_is_sorted(module: cst.Module, style: ImportStyle) -> bool:
    """Whether the module's top import block is already in the order `sort_top_imports` would write."""
    start, end = top_import_block(module.body)
    statements = list(module.body[start:end])
    parsed = _parse_block(statements)
    if parsed is None:
        return False
    return render_imports(parsed, style) == _block_code(module, statements)


def _from_key(node: cst.ImportFrom) -> Optional[tuple[int, str]]:
    if isinstance(node.names, cst.ImportStar):
        return None
    return len(node.relative), get_full_name_for_node(node.module) if node.module else ""


def _alias_key(alias: cst.ImportAlias) -> tuple:
    return _member_key(get_full_name_for_node(alias.name) or "")


def fit_added_imports(before: cst.Module, after: cst.Module, line_length: int) -> cst.Module:
    """A `from x import a, b` that a phase added or extended, too long for the service's line length, is written one
    name a line in parentheses (as ruff formats it): what a block that is not sorted as a whole still gets. The
    author's own import lines are left as they are."""
    old = {before.code_for_node(stmt) for stmt in before.body if isinstance(stmt, cst.SimpleStatementLine)}
    body = list(after.body)
    for index, stmt in enumerate(body):
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.ImportFrom)) or after.code_for_node(stmt) in old:
            continue
        node = stmt.body[0]
        line = after.code_for_node(stmt.with_changes(leading_lines=())).rstrip("\n")
        if isinstance(node.names, cst.ImportStar) or node.lpar is not None or len(line) <= line_length \
                or "#" in line:
            continue
        module = get_full_name_for_node(node.module) if node.module is not None else ""
        names = [(alias.evaluated_name, alias.evaluated_alias) for alias in node.names]
        text = _render_from(len(node.relative), module or "", names, False, line_length)
        body[index] = cst.parse_statement(text + "\n", config=after.config_for_parsing).with_changes(
            leading_lines=stmt.leading_lines)
    return after.with_changes(body=body)


def sort_merged_names(before: cst.Module, after: cst.Module) -> cst.Module:
    """Names added to an existing `from x import a, c` go to their sorted place (`a, b, c`) when the statement's
    names were sorted: what a block that is not sorted as a whole still gets."""
    was_sorted: dict[tuple[int, str], bool] = {}
    for stmt in before.body:
        for small in getattr(stmt, "body", ()) if isinstance(stmt, cst.SimpleStatementLine) else ():
            if isinstance(small, cst.ImportFrom) and _from_key(small) is not None:
                keys = [_alias_key(a) for a in small.names]
                was_sorted[_from_key(small)] = keys == sorted(keys)
    body = list(after.body)
    for index, stmt in enumerate(body):
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], cst.ImportFrom)):
            continue
        node = stmt.body[0]
        key = _from_key(node)
        if key is None or not was_sorted.get(key):
            continue
        names = list(node.names)
        ordered = sorted(names, key=_alias_key)
        if ordered == names:
            continue
        commas = [a.comma for a in names]
        ordered = [a.with_changes(comma=c) for a, c in zip(ordered, commas)]
        body[index] = stmt.with_changes(body=[node.with_changes(names=ordered)])
    return after.with_changes(body=body)


def sort_top_imports(module: cst.Module, style: ImportStyle) -> cst.Module:
    """The module with its top import block rewritten in ruff's order (comments above the block kept), and the
    blank lines after it that ruff expects (two before a def or class, else one)."""
    start, end = top_import_block(module.body)
    statements = list(module.body[start:end])
    parsed = _parse_block(statements)
    if parsed is None or not statements:
        return module
    text = render_imports(parsed, style)
    if text == _block_code(module, statements):
        new_block = statements
    else:
        new_block = list(cst.parse_module(text + "\n").body)
        new_block[0] = new_block[0].with_changes(leading_lines=statements[0].leading_lines)
    body = [*module.body[:start], *new_block, *module.body[end:]]
    if end < len(module.body):
        after = body[start + len(new_block)]
        if all(line.comment is None for line in after.leading_lines):  # comments: their layout is the author's
            wanted = 2 if isinstance(after, (cst.FunctionDef, cst.ClassDef)) else 1
            body[start + len(new_block)] = after.with_changes(leading_lines=[cst.EmptyLine(indent=False)] * wanted)
    return module.with_changes(body=body)


def relative_module(module: str, package: str, home: str) -> Optional[tuple[int, str]]:
    """(level, module) of `from <dots><module> import ...` naming the absolute `module` from a file of `package`,
    when both are inside `home` (None otherwise): ``src.app.core.db`` from ``src.app.services`` is ``(2, "core.db")``
    (``from ..core.db import ...``)."""
    if not all(name == home or name.startswith(home + ".") for name in (module, package)):
        return None
    target, here = module.split("."), package.split(".")
    common = 0
    while common < min(len(target), len(here)) and target[common] == here[common]:
        common += 1
    return len(here) - common + 1, ".".join(target[common:])


def relative_imports(before: cst.Module, after: cst.Module, package: str, home: str) -> cst.Module:
    """`after` with the `from` imports of modules inside `home` that are not in `before`'s top block (the ones a
    phase added) written relative to `package`: what phase 1 adds to a service whose modules import each other
    relatively (`codemods._moves.Phase1State.relative_home`)."""
    start, end = top_import_block(before.body)
    old = {cst.Module([]).code_for_node(stmt) for stmt in before.body[start:end]}
    start, end = top_import_block(after.body)
    body = list(after.body)
    for index in range(start, end):
        stmt = body[index]
        if cst.Module([]).code_for_node(stmt) in old or not isinstance(stmt, cst.SimpleStatementLine):
            continue
        node = stmt.body[0]
        if not isinstance(node, cst.ImportFrom) or node.relative or node.module is None:
            continue
        found = relative_module(get_full_name_for_node(node.module), package, home)
        if found is not None:
            level, module = found
            body[index] = stmt.with_changes(body=[node.with_changes(
                relative=[cst.Dot()] * level, module=cst.parse_expression(module) if module else None)])
    return after.with_changes(body=body)
