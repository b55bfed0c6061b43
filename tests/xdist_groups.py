"""A pytest plugin that makes `--dist loadgroup` group again (loaded by tests/conftest.py), and the groups
of the modules that mostly wait.

pytest-xdist 3.8 marks an item's group by appending `@group` to `item._nodeid`, which pytest 9.2 no longer
reads (its node ids are `item._id`): every `xdist_group` was ignored, so a fault's shared whole runs were
made once per worker. tests/test_xdist_groups.py shows the groups hold, with this plugin and without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import pytest
from _pytest.nodeid import NodeId


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    yield
    for item in items:
        grouped = getattr(item, "_nodeid", None)
        if isinstance(grouped, str) and grouped != item.nodeid:
            item._id = NodeId.parse(grouped)


def waits_on_the_clock(share: Literal[1, 2]) -> pytest.MarkDecorator:
    """The `pytestmark` of a module whose tests mostly wait on the clock (Retry-After, pauses, slow peers).
    Each share's modules run in turn on one worker while the others use the CPU, rather than every worker
    waiting on the same module at once (docs/benchmarks.md, "The test loop")."""
    return pytest.mark.xdist_group(f"clock-waits-{share}")
