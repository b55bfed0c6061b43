from http import HTTPStatus
from typing import Any
from urllib.parse import quote
from uuid import UUID

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.error_response import ErrorResponse
from ...models.list_update_record_response import ListUpdateRecordResponse
from ...types import UNSET, Response, Unset


def _get_kwargs(
    project_id: str,
    cluster_id: UUID,
    *,
    offset: int | Unset = 0,
    limit: int | Unset = 10,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["offset"] = offset

    params["limit"] = limit

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/{project_id}/clusters/{cluster_id}/upgrade-management/records".format(
            project_id=quote(str(project_id), safe=""),
            cluster_id=quote(str(cluster_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ErrorResponse | ListUpdateRecordResponse | None:
    if response.status_code == 200:
        response_200 = ListUpdateRecordResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = ErrorResponse.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = ErrorResponse.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = ErrorResponse.from_dict(response.json())

        return response_403

    if response.status_code == 429:
        response_429 = ErrorResponse.from_dict(response.json())

        return response_429

    if response.status_code == 500:
        response_500 = ErrorResponse.from_dict(response.json())

        return response_500

    if response.status_code == 503:
        response_503 = ErrorResponse.from_dict(response.json())

        return response_503

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ErrorResponse | ListUpdateRecordResponse]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    project_id: str,
    cluster_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    offset: int | Unset = 0,
    limit: int | Unset = 10,
) -> Response[ErrorResponse | ListUpdateRecordResponse]:
    """Querying Cluster Upgrade Records

     This API is used to query the upgrade records of a cluster.

    Records are paged: `offset` is a zero-based **page index** (page number minus 1), not a record
    index, and `limit` is the page size. With `offset=1&limit=10` the response holds records 10..19
    (zero-based) of the cluster. A page past the last record is a `200` with an empty `records` array
    and the same `count`.

    **Decision (unknown cluster):** a well-formed `cluster_id` that is not a cluster of the project
    gets `400` with error code `DWS.0015`, because the document lists no `404` for this operation and
    `400 DWS.0015` is what DWS answers on `/v1/{project_id}/clusters/{cluster_id}/lts-logs`, an API of
    the
    same generation (seen in the Terraform provider's error handling). Other DWS APIs answer differently
    (`403 DWS.0015` on the v1.0 cluster detail, `404 DWS.0047` on several v2 APIs); neither status is in
    this operation's document, so clients should treat any `4xx` naming the cluster as "no such
    cluster".

    **Decision (throttling):** the document lists no `429`, yet Huawei's API gateway, which fronts every
    Huawei Cloud API, answers `429` with error code `APIGW.0308` on any API when a throttling threshold
    is reached, and the official SDK (`huaweicloudsdkcore` 3.1.219) retries `429` by itself. So `429` is
    documented here: a client should wait `Retry-After` seconds and send the same request again, and a
    `429` is never a contract violation by itself, as long as it carries the documented body and
    headers.

    Example request:

    ```
    GET https://{Endpoint}/v1/0536cdee2200d5912f7cc00b877980f1/clusters/c719b1a7-c85c-4cb5-a721-
    7694908c2c11/upgrade-management/records
    ```

    Args:
        project_id (str):
        cluster_id (UUID):
        offset (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListUpdateRecordResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        cluster_id=cluster_id,
        offset=offset,
        limit=limit,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    project_id: str,
    cluster_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    offset: int | Unset = 0,
    limit: int | Unset = 10,
) -> ErrorResponse | ListUpdateRecordResponse | None:
    """Querying Cluster Upgrade Records

     This API is used to query the upgrade records of a cluster.

    Records are paged: `offset` is a zero-based **page index** (page number minus 1), not a record
    index, and `limit` is the page size. With `offset=1&limit=10` the response holds records 10..19
    (zero-based) of the cluster. A page past the last record is a `200` with an empty `records` array
    and the same `count`.

    **Decision (unknown cluster):** a well-formed `cluster_id` that is not a cluster of the project
    gets `400` with error code `DWS.0015`, because the document lists no `404` for this operation and
    `400 DWS.0015` is what DWS answers on `/v1/{project_id}/clusters/{cluster_id}/lts-logs`, an API of
    the
    same generation (seen in the Terraform provider's error handling). Other DWS APIs answer differently
    (`403 DWS.0015` on the v1.0 cluster detail, `404 DWS.0047` on several v2 APIs); neither status is in
    this operation's document, so clients should treat any `4xx` naming the cluster as "no such
    cluster".

    **Decision (throttling):** the document lists no `429`, yet Huawei's API gateway, which fronts every
    Huawei Cloud API, answers `429` with error code `APIGW.0308` on any API when a throttling threshold
    is reached, and the official SDK (`huaweicloudsdkcore` 3.1.219) retries `429` by itself. So `429` is
    documented here: a client should wait `Retry-After` seconds and send the same request again, and a
    `429` is never a contract violation by itself, as long as it carries the documented body and
    headers.

    Example request:

    ```
    GET https://{Endpoint}/v1/0536cdee2200d5912f7cc00b877980f1/clusters/c719b1a7-c85c-4cb5-a721-
    7694908c2c11/upgrade-management/records
    ```

    Args:
        project_id (str):
        cluster_id (UUID):
        offset (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListUpdateRecordResponse
    """

    return sync_detailed(
        project_id=project_id,
        cluster_id=cluster_id,
        client=client,
        offset=offset,
        limit=limit,
    ).parsed


async def asyncio_detailed(
    project_id: str,
    cluster_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    offset: int | Unset = 0,
    limit: int | Unset = 10,
) -> Response[ErrorResponse | ListUpdateRecordResponse]:
    """Querying Cluster Upgrade Records

     This API is used to query the upgrade records of a cluster.

    Records are paged: `offset` is a zero-based **page index** (page number minus 1), not a record
    index, and `limit` is the page size. With `offset=1&limit=10` the response holds records 10..19
    (zero-based) of the cluster. A page past the last record is a `200` with an empty `records` array
    and the same `count`.

    **Decision (unknown cluster):** a well-formed `cluster_id` that is not a cluster of the project
    gets `400` with error code `DWS.0015`, because the document lists no `404` for this operation and
    `400 DWS.0015` is what DWS answers on `/v1/{project_id}/clusters/{cluster_id}/lts-logs`, an API of
    the
    same generation (seen in the Terraform provider's error handling). Other DWS APIs answer differently
    (`403 DWS.0015` on the v1.0 cluster detail, `404 DWS.0047` on several v2 APIs); neither status is in
    this operation's document, so clients should treat any `4xx` naming the cluster as "no such
    cluster".

    **Decision (throttling):** the document lists no `429`, yet Huawei's API gateway, which fronts every
    Huawei Cloud API, answers `429` with error code `APIGW.0308` on any API when a throttling threshold
    is reached, and the official SDK (`huaweicloudsdkcore` 3.1.219) retries `429` by itself. So `429` is
    documented here: a client should wait `Retry-After` seconds and send the same request again, and a
    `429` is never a contract violation by itself, as long as it carries the documented body and
    headers.

    Example request:

    ```
    GET https://{Endpoint}/v1/0536cdee2200d5912f7cc00b877980f1/clusters/c719b1a7-c85c-4cb5-a721-
    7694908c2c11/upgrade-management/records
    ```

    Args:
        project_id (str):
        cluster_id (UUID):
        offset (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ErrorResponse | ListUpdateRecordResponse]
    """

    kwargs = _get_kwargs(
        project_id=project_id,
        cluster_id=cluster_id,
        offset=offset,
        limit=limit,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    project_id: str,
    cluster_id: UUID,
    *,
    client: AuthenticatedClient | Client,
    offset: int | Unset = 0,
    limit: int | Unset = 10,
) -> ErrorResponse | ListUpdateRecordResponse | None:
    """Querying Cluster Upgrade Records

     This API is used to query the upgrade records of a cluster.

    Records are paged: `offset` is a zero-based **page index** (page number minus 1), not a record
    index, and `limit` is the page size. With `offset=1&limit=10` the response holds records 10..19
    (zero-based) of the cluster. A page past the last record is a `200` with an empty `records` array
    and the same `count`.

    **Decision (unknown cluster):** a well-formed `cluster_id` that is not a cluster of the project
    gets `400` with error code `DWS.0015`, because the document lists no `404` for this operation and
    `400 DWS.0015` is what DWS answers on `/v1/{project_id}/clusters/{cluster_id}/lts-logs`, an API of
    the
    same generation (seen in the Terraform provider's error handling). Other DWS APIs answer differently
    (`403 DWS.0015` on the v1.0 cluster detail, `404 DWS.0047` on several v2 APIs); neither status is in
    this operation's document, so clients should treat any `4xx` naming the cluster as "no such
    cluster".

    **Decision (throttling):** the document lists no `429`, yet Huawei's API gateway, which fronts every
    Huawei Cloud API, answers `429` with error code `APIGW.0308` on any API when a throttling threshold
    is reached, and the official SDK (`huaweicloudsdkcore` 3.1.219) retries `429` by itself. So `429` is
    documented here: a client should wait `Retry-After` seconds and send the same request again, and a
    `429` is never a contract violation by itself, as long as it carries the documented body and
    headers.

    Example request:

    ```
    GET https://{Endpoint}/v1/0536cdee2200d5912f7cc00b877980f1/clusters/c719b1a7-c85c-4cb5-a721-
    7694908c2c11/upgrade-management/records
    ```

    Args:
        project_id (str):
        cluster_id (UUID):
        offset (int | Unset):  Default: 0.
        limit (int | Unset):  Default: 10.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ErrorResponse | ListUpdateRecordResponse
    """

    return (
        await asyncio_detailed(
            project_id=project_id,
            cluster_id=cluster_id,
            client=client,
            offset=offset,
            limit=limit,
        )
    ).parsed
