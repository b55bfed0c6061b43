"""What identifies an upgrade record: its `item_id` (docs/decisions.md).

The spec requires `item_id` on every record ("Upgrade project ID") but does not say it is unique; the real
service issues one UUID per upgrade and keeps it while the record's status moves on (docs/live-service.md:
a status that ends changes a record, a new upgrade adds one). So a record seen again with another status is
the same record, and two records are one only if their item_ids are. Paging checks (the suite's pagination
phase, the proxy's listings) and the client's exact reading all count records by this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

IDENTITY_FIELD = "item_id"


def record_identity(record: object) -> str:
    """The record's item_id; for a record without a string item_id (it breaks the schema, which another
    check reports) its whole content, so the paging checks can still tell it from the others."""
    value = (
        record.get(IDENTITY_FIELD) if isinstance(record, Mapping) else getattr(record, IDENTITY_FIELD, None)
    )
    if isinstance(value, str):
        return value
    return json.dumps(record, sort_keys=True, default=repr)
