"""Who references what, across modules: the basis of the phase-3 estimate of code removed.

Nodes are top-level definitions `(file, name)` (functions, classes, assigned names); `(file, None)` stands for a
module's top-level statements outside definitions (they always run, so what they use stays). The referrers of a
node are found by a byte search for its name over the repository, then by resolving the imports of the files
that mention it (re-exports through packages included). Estimates stay conservative: a name mentioned by more
than `MAX_REFERRER_FILES` files is treated as live.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass

from .discover import Discovery, resolve_module
from .extract import line_count, reference_nodes
from .facts import ImportTarget, ModuleFacts, RefNode

Node = tuple[str, "str | None"]
MAX_REFERRER_FILES = 150


@dataclass
class RefModule:
    file: str
    nodes: dict[str, RefNode]
    module_refs: frozenset[str]
    imports: dict[str, ImportTarget]
    line_count: int


def _imports_from_ast(tree: ast.Module) -> dict[str, ImportTarget]:
    out: dict[str, ImportTarget] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    out[alias.asname] = ImportTarget(0, alias.name, None)
                else:
                    head = alias.name.split(".")[0]
                    out[head] = ImportTarget(0, head, None)
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = ImportTarget(node.level, node.module or "", alias.name)
    return out


class RefIndex:
    def __init__(self, discovery: Discovery, facts: dict[str, ModuleFacts]):
        self.discovery = discovery
        self.facts = facts
        self._modules: dict[str, RefModule | None] = {}
        self._bytes: dict[str, bytes | None] = {}
        self._referrers: dict[Node, set[Node] | None] = {}

    def module(self, file: str) -> RefModule | None:
        if file in self._modules:
            return self._modules[file]
        result: RefModule | None = None
        data = self._read(file)
        if data is not None:
            try:
                tree = ast.parse(data, filename=file)
            except (SyntaxError, ValueError, RecursionError):
                tree = None
            if tree is not None:
                nodes, module_refs = reference_nodes(tree)
                result = RefModule(file, nodes, module_refs, _imports_from_ast(tree), line_count(data))
        self._modules[file] = result
        return result

    def _read(self, file: str) -> bytes | None:
        """The file's bytes (b"" for an empty file), None when it cannot be read."""
        if file not in self._bytes:
            try:
                with open(os.path.join(self.discovery.root, file), "rb") as handle:
                    self._bytes[file] = handle.read()
            except OSError:
                self._bytes[file] = None
        return self._bytes[file]

    # --- resolution -------------------------------------------------------------------------------------------

    def resolve_target(self, file: str, target: ImportTarget, depth: int = 0) -> Node | None:
        path = resolve_module(self.discovery, file, target.level, target.module)
        if path is None or not path.endswith(".py"):
            return None
        if target.attr is None:
            return (path, None)
        return self.resolve_name(path, target.attr, depth + 1)

    def resolve_name(self, file: str, name: str, depth: int = 0) -> Node | None:
        """The node a name of `file` stands for: its own definition, or what its import points to."""
        module = self.module(file)
        if module is None or depth > 6:
            return None
        if name in module.nodes:
            return (file, name)
        target = module.imports.get(name)
        if target is not None:
            return self.resolve_target(file, target, depth)
        if file.endswith("__init__.py"):  # `from pkg import mod` where mod is a submodule
            sub = resolve_module(self.discovery, file, 1, name)
            if sub is not None and sub.endswith(".py"):
                return (sub, None)
        return None

    def resolve_ref(self, file: str, ref: str) -> Node | None:
        """`name` or `module.attr` as read in `file` -> the node it stands for."""
        head, _, attr = ref.partition(".")
        base = self.resolve_name(file, head)
        if base is not None and base[1] is None and attr:
            return self.resolve_name(base[0], attr) or base
        return base

    def out_refs(self, node: Node) -> set[Node]:
        file, name = node
        module = self.module(file)
        if module is None or name is None or name not in module.nodes:
            return set()
        out: set[Node] = set()
        for ref in module.nodes[name].refs:
            target = self.resolve_ref(file, ref)
            if target is not None and target != node:
                out.add(target)
        return out

    # --- referrers --------------------------------------------------------------------------------------------

    def _scopes_using(self, module: RefModule, local: str, exclude: str | None = None) -> set[Node]:
        found: set[Node] = set()
        for other, ref_node in module.nodes.items():
            if other != exclude and any(r == local or r.startswith(local + ".") for r in ref_node.refs):
                found.add((module.file, other))
        if any(r == local or r.startswith(local + ".") for r in module.module_refs):
            found.add((module.file, None))
        return found

    def referrers(self, node: Node) -> set[Node] | None:
        """Every scope that reads `node`; None when too widely used (or unreadable) to call it dead.

        Imports are resolved through re-exports, so `from pkg import name` where pkg/__init__.py re-exports
        `name` from the defining module counts as a read of the definition.
        """
        if node in self._referrers:
            return self._referrers[node]
        file, name = node
        module = self.module(file)
        if module is None:
            self._referrers[node] = None
            return None
        result: set[Node] = set()
        if name is not None:
            result |= self._scopes_using(module, name, exclude=name)
            needle = name
        else:
            needle = file.split("/")[-2] if file.endswith("__init__.py") else os.path.basename(file)[:-3]
        encoded = needle.encode()
        hits = [f for f in self.discovery.files if f != file and (data := self._read(f)) and encoded in data]
        if len(hits) > MAX_REFERRER_FILES:
            self._referrers[node] = None
            return None
        for other in hits:
            other_module = self.module(other)
            if other_module is None:
                self._referrers[node] = None
                return None
            for local, target in other_module.imports.items():
                resolved = self.resolve_target(other, target)
                if resolved == node:
                    result |= self._scopes_using(other_module, local)
                elif resolved == (file, None) and name is not None:
                    dotted = f"{local}.{name}"  # `import pkg.mod as m` ... `m.name`
                    result |= {(other, n) for n, ref_node in other_module.nodes.items() if dotted in ref_node.refs}
                    if dotted in other_module.module_refs:
                        result.add((other, None))
        self._referrers[node] = result
        return result
