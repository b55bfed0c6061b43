"""A client library for accessing GaussDB(DWS) cluster upgrade records"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
