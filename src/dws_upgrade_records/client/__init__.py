"""A hand-written layer over the generated client: auto-paging iterators, AK/SK signing, retries of
429/503, one clear error.

from dws_upgrade_records.client import connect, iter_upgrade_records

client = connect("https://dws.ap-southeast-1.myhuaweicloud.com", token=token)
for record in iter_upgrade_records(client, project_id, cluster_id):
    print(record.item_id, record.status)
"""

from dws_upgrade_records.client.auth import AkSkAuth, TokenAuth
from dws_upgrade_records.client.connect import connect
from dws_upgrade_records.client.errors import DwsApiError
from dws_upgrade_records.client.paging import (
    DEFAULT_PAGE_SIZE,
    afetch_page,
    aiter_upgrade_records,
    fetch_page,
    iter_upgrade_records,
    parse_page,
)
from dws_upgrade_records.client.retry import RetryPolicy, RetryTransport

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "AkSkAuth",
    "DwsApiError",
    "RetryPolicy",
    "RetryTransport",
    "TokenAuth",
    "afetch_page",
    "aiter_upgrade_records",
    "connect",
    "fetch_page",
    "iter_upgrade_records",
    "parse_page",
]
