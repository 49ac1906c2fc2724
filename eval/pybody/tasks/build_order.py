"""Ordering the targets of a small build tool."""


def build_order(deps: dict[str, list[str]]) -> list[str]:
    """Order targets so each comes after its dependencies (dependencies not listed as keys
    count as targets without dependencies). Ties are broken alphabetically. Raise
    ValueError on a cycle."""
    graph = {t: set(ds) for t, ds in deps.items()}
    for ds in deps.values():
        for d in ds:
            graph.setdefault(d, set())
    order = []
    ready = sorted(t for t, ds in graph.items() if not ds)
    while ready:
        target = ready.pop(0)
        order.append(target)
        # <<<
        for other, ds in graph.items():
            if target in ds:
                ds.remove(target)
                if not ds:
                    ready.append(other)
        # >>>
        ready.sort()
    if len(order) != len(graph):
        raise ValueError("dependency cycle")
    return order
