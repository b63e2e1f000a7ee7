"""Where requests go: the workspace endpoint, from the configuration and the lookup.

Routing only (scheme, host, port): dev mode, the accsyn relay proxy, an explicit
``base_url``, and the official fallback host. What is sent there is
:mod:`accsyn._wire`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass

from accsyn import _constants as const
from accsyn._config import Config

__all__ = ["Endpoint", "api_endpoint", "master_endpoint"]


@dataclass(frozen=True)
class Endpoint:
    """Where requests go: ``<base>/api/v3<uri>`` (the port is always written out)."""

    base: str

    @classmethod
    def of(cls, scheme: str, host: str, port: int) -> Endpoint:
        """Build from parts, writing the port even when it is the default one."""
        return cls(f"{scheme}://{host}:{port}")

    def url(self, uri: str) -> str:
        """The full URL of ``uri`` (a ``/`` is inserted when missing)."""
        return f"{self.base}{const.API_PREFIX}{uri if uri.startswith('/') else '/' + uri}"


def _route(config: Config, host: str, port: int) -> Endpoint:
    scheme = "https"
    if config.dev:
        # Dev mode talks plain http on 8181, whatever the port says (official behaviour).
        scheme, port = "http", const.DEV_PORT
    if config.proxy is not None and config.proxy.kind == "accsyn":
        # The accsyn relay speaks plain http and takes the place of the workspace host.
        scheme, host, port = "http", config.proxy.host, config.proxy.port
    return Endpoint.of(scheme, host, port)


def master_endpoint(config: Config) -> Endpoint:
    """Where the workspace lookup goes (a custom ``port`` applies here too, as officially)."""
    return _route(config, const.MASTER_HOSTNAME, config.port or const.DEFAULT_PORT)


def api_endpoint(
    config: Config, looked_up_host: str | None = None, looked_up_port: int | None = None
) -> Endpoint:
    """Where login and events go, given the master lookup's answer (if one was made)."""
    if config.base_url is not None:
        return Endpoint(config.base_url)
    host = config.hostname or (const.DEV_HOSTNAME if config.dev else looked_up_host)
    if host is None:
        # Only reachable when explaining offline: the official fallback host.
        host = f"{config.workspace}.{const.BACKEND_DOMAIN}"
    port = config.port or looked_up_port or (const.DEV_PORT if config.dev else const.DEFAULT_PORT)
    return _route(config, host, port)
