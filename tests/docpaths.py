"""Every path into a JSON document (dict keys and list indices), for tests that mutate real reports."""

from __future__ import annotations


def paths(node, prefix=()):
    """The path of `node` itself, then of everything inside it, depth first."""
    yield prefix
    if isinstance(node, dict):
        for k, v in node.items():
            yield from paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from paths(v, prefix + (i,))


def leaves(doc):
    """(path, value) of every value that is neither an object nor a list, in the order of paths()."""
    for path in paths(doc):
        value = doc
        for step in path:
            value = value[step]
        if not isinstance(value, (dict, list)):
            yield path, value
