"""An import-linter contract the built-in ones do not offer: no import circle between
files of different packages (`.importlinter` uses it as `cross_package_acyclic`).

The layers contract already keeps each floor from importing the floors above it, but
the features share one floor and may import each other; what they may not do is go
round in a circle, file by file (`a.x → b.y → … → a.x`), which would make neither
understandable without the other. Type-only imports count, as everywhere in the graph.
"""

from __future__ import annotations

from grimp import ImportGraph
from importlinter.application import output
from importlinter.domain.contract import Contract, ContractCheck


def _packages(modules: set[str]) -> dict[str, str]:
    """Each module → the package (directory) its file is in; a package's own
    `__init__` counts as in that package."""
    parents = {module.rpartition(".")[0] for module in modules}
    return {
        module: module if module in parents else module.rpartition(".")[0] or module
        for module in modules
    }


class CrossPackageAcyclicContract(Contract):
    """No configuration: every package of the graph's root packages counts, subpackages
    (`community.forums`, `realtime.hub`) as packages of their own."""

    type_name = "cross_package_acyclic"

    def check(self, graph: ImportGraph, verbose: bool) -> ContractCheck:
        package = _packages(set(graph.modules))
        circles: list[list[str]] = []
        for importer in sorted(graph.modules):
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if package[imported] == package[importer]:
                    continue
                back = graph.find_shortest_chain(importer=imported, imported=importer)
                if back:
                    circles.append([importer, *back])
        return ContractCheck(kept=not circles, metadata={"circles": circles})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for circle in check.metadata["circles"]:
            output.print_error(" → ".join(circle), bold=False)
            output.new_line()
