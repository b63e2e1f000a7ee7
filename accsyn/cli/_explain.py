"""``accsyn query explain``: the HTTP request a find would send, without sending it."""

from __future__ import annotations

import socket

from accsyn import _constants as const
from accsyn._config import Secret, default_device
from accsyn._wire import Endpoint, EventRequest, WireContext, explain

__all__ = ["explain_request"]


def explain_request(
    req: EventRequest,
    *,
    workspace: str = "acme",
    user: str = "you@example.com",
    base_url: str | None = None,
) -> str:
    """The HTTP request ``req`` becomes, as text (secrets shown as ``***``).

    The workspace host is normally found through the master host; without ``base_url``
    the documented ``https://<workspace>.accsyn.com:443`` stands in for it.
    """
    ctx = WireContext(
        workspace=workspace,
        username=user,
        # Never a real key: explain shows the header's shape, not its value.
        api_key=Secret(const.REDACTED),
        device=default_device(),
        client_hostname=socket.gethostname(),
        session_id=const.REDACTED,
    )
    endpoint = (
        Endpoint(base_url.rstrip("/"))
        if base_url
        else Endpoint.of("https", f"{workspace.lower()}.{const.BACKEND_DOMAIN}", const.DEFAULT_PORT)
    )
    return str(explain(req, ctx, endpoint))
