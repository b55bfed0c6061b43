"""A pytest plugin that makes `--dist loadgroup` group again (loaded by tests/conftest.py).

pytest-xdist 3.8 marks an item's group by appending `@group` to `item._nodeid`, which pytest 9.2 no longer
reads (its node ids are `item._id`): every `xdist_group` was ignored, so a fault's shared whole runs were
made once per worker. tests/test_xdist_groups.py shows the groups hold, with this plugin and without it.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from _pytest.nodeid import NodeId


@pytest.hookimpl(wrapper=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> Iterator[None]:
    yield
    for item in items:
        grouped = getattr(item, "_nodeid", None)
        if isinstance(grouped, str) and grouped != item.nodeid:
            item._id = NodeId.parse(grouped)
