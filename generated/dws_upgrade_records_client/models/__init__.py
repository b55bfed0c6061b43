"""Contains all the data models used in inputs/outputs"""

from .cluster_update_record_resp import ClusterUpdateRecordResp
from .error_response import ErrorResponse
from .list_update_record_response import ListUpdateRecordResponse

__all__ = (
    "ClusterUpdateRecordResp",
    "ErrorResponse",
    "ListUpdateRecordResponse",
)
