"""An import-linter contract type: no import cycle between modules at import time.

import-linter's own `acyclic_siblings` judges packages (core.activities and core.files may not
import each other at all); what breaks a program is a cycle of imports that run when a module
is loaded. This contract follows only those: imports at module level, not the lazy ones inside a
function body (grimp marks them), not those under `if TYPE_CHECKING:` (the session option
`exclude_type_checking_imports` or the contract's own `exclude_type_checking_imports`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set

import grimp
from importlinter import Contract, ContractCheck, fields, output


class AcyclicModulesContract(Contract):
    """`type = "acyclic_modules"`: the module-level imports inside `containers` form no cycle."""

    type_name = "acyclic_modules"

    containers = fields.ListField(subfield=fields.StringField())

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        containers: list[str] = list(self.containers)  # type: ignore[call-overload]  # why: untyped field
        modules = {
            module
            for container in containers
            for module in {container, *graph.find_descendants(container)}
            if module in graph.modules
        }
        edges = eager_imports(graph, modules)
        components = strongly_connected(edges)
        cycles = [sorted(component) for component in components if len(component) > 1]
        cycles.sort()
        return ContractCheck(kept=not cycles, warnings=None, metadata={"cycles": cycles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            modules = ", ".join(cycle)
            output.print_error(f"These modules import each other at import time: {modules}")
            output.new_line()


def eager_imports(graph: grimp.ImportGraph, modules: Set[str]) -> dict[str, set[str]]:
    """Who imports whom when the importer is loaded (a lazy import inside a function excepted)."""
    edges: dict[str, set[str]] = {module: set() for module in modules}
    for importer in modules:
        for imported in graph.find_modules_directly_imported_by(importer) & modules:
            details = graph.get_import_details(importer=importer, imported=imported)
            if any(not detail.get("is_lazy", False) for detail in details):
                edges[importer].add(imported)
    return edges


def strongly_connected(edges: Mapping[str, Set[str]]) -> Iterator[set[str]]:
    """Tarjan's strongly connected components, iteratively (the graph has hundreds of modules)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(edges[successor]))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                yield component
