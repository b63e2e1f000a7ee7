"""Configuration: arguments > .env > environment, proxies, dev mode, endpoints."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import accsyn
from accsyn import _wire as wire
from accsyn._config import ProxySpec, parse_proxy, read_env_file, resolve_config


def test_arguments_beat_env_file_beat_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCSYN_WORKSPACE", "from-env")
    monkeypatch.setenv("ACCSYN_API_USER", "env@x.com")
    monkeypatch.setenv("ACCSYN_API_KEY", "env-key")
    env = tmp_path / "creds.env"
    env.write_text("# comment\n\nACCSYN_API_USER = 'file@x.com'\nACCSYN_API_KEY=\"file-key\"\n")
    before = dict(os.environ)
    config = resolve_config(path_envfile=env, api_key="arg-key")
    assert config.workspace == "from-env"
    assert config.username == "file@x.com"
    assert config.api_key.get_secret_value() == "arg-key"
    assert dict(os.environ) == before  # never mutated


def test_credentials_path_and_local_dot_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".env").write_text("ACCSYN_WORKSPACE=local\nACCSYN_API_USER=u\nACCSYN_API_KEY=k\n")
    assert resolve_config().workspace == "local"
    other = tmp_path / "other.env"
    other.write_text("ACCSYN_WORKSPACE=other\nACCSYN_API_USER=u\nACCSYN_API_KEY=k\n")
    monkeypatch.setenv("ACCSYN_CREDENTIALS_PATH", str(other))
    assert resolve_config().workspace == "other"


def test_workspace_aliases_first_present_wins() -> None:
    base = {"ACCSYN_API_USER": "u", "ACCSYN_API_KEY": "k"}
    assert resolve_config(environ={**base, "ACCSYN_ORG": "org"}).workspace == "org"
    assert (
        resolve_config(environ={**base, "ACCSYN_DOMAIN": "dom", "ACCSYN_ORG": "org"}).workspace
        == "dom"
    )
    assert resolve_config(environ=base, domain="legacy").workspace == "legacy"
    with pytest.raises(accsyn.ConfigurationError, match="workspace code"):
        resolve_config(environ={**base, "ACCSYN_DOMAIN": "", "ACCSYN_ORG": "org"})


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ACCSYN_API_USER": "u", "ACCSYN_API_KEY": "k"}, "ACCSYN_WORKSPACE"),
        ({"ACCSYN_WORKSPACE": "w", "ACCSYN_API_KEY": "k"}, "ACCSYN_API_USER"),
        ({"ACCSYN_WORKSPACE": "w", "ACCSYN_API_USER": "u"}, "ACCSYN_API_KEY"),
    ],
)
def test_missing_settings_are_configuration_errors(environ: dict[str, str], message: str) -> None:
    with pytest.raises(accsyn.ConfigurationError, match=message):
        resolve_config(environ=environ)


def test_env_file_parser(tmp_path: Path) -> None:
    path = tmp_path / "x.env"
    path.write_text("A=1\n  B = 'two words' \nC=\"q\"\n#D=4\nnoequals\nE=a=b\nF='\n")
    assert read_env_file(path) == {"A": "1", "B": "two words", "C": "q", "E": "a=b", "F": "'"}
    assert read_env_file(tmp_path / "missing.env") == {}
    with pytest.raises(accsyn.ConfigurationError, match="does not exist"):
        resolve_config(path_envfile=tmp_path / "missing.env", environ={})


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("accsyn:10.0.0.1:8080", ProxySpec("accsyn", "10.0.0.1", 8080)),
        ("10.0.0.1:8080", ProxySpec("accsyn", "10.0.0.1", 8080)),
        ("relay.local", ProxySpec("accsyn", "relay.local", 80)),
        ("socks:127.0.0.1:1080", ProxySpec("socks5", "127.0.0.1", 1080)),
        ("SOCKS5:127.0.0.1:1080", ProxySpec("socks5", "127.0.0.1", 1080)),
    ],
)
def test_proxy_forms(setting: str, expected: ProxySpec) -> None:
    assert parse_proxy(setting) == expected


@pytest.mark.parametrize("setting", ["http:1.2.3.4:80", "a:b:c:d", "accsyn:host:port", "h:0"])
def test_bad_proxies_are_configuration_errors(setting: str) -> None:
    with pytest.raises(accsyn.ConfigurationError):
        parse_proxy(setting)


def _endpoints(**kwargs: object) -> tuple[str, str]:
    config = resolve_config(workspace="acme", username="u", api_key="k", environ={}, **kwargs)  # type: ignore[arg-type]
    return wire.master_endpoint(config).base, wire.api_endpoint(config, "api.acme.io", 8443).base


def test_endpoint_resolution() -> None:
    assert _endpoints() == ("https://master.accsyn.com:443", "https://api.acme.io:8443")
    assert _endpoints(hostname="h.example", port=9443)[1] == "https://h.example:9443"
    # A custom port applies to the master lookup too (official quirk).
    assert _endpoints(port=9443)[0] == "https://master.accsyn.com:9443"
    assert _endpoints(proxy="accsyn:127.0.0.1:8080") == (
        "http://127.0.0.1:8080",
        "http://127.0.0.1:8080",
    )
    # SOCKS tunnels the connection; the URL keeps the real host and TLS.
    assert _endpoints(proxy="socks5:127.0.0.1:1080")[1] == "https://api.acme.io:8443"
    assert _endpoints(base_url="http://127.0.0.1:8181/api/v3/")[1] == "http://127.0.0.1:8181"


def test_dev_mode_forces_plain_http_on_8181(tmp_path: Path) -> None:
    env = tmp_path / "dev.env"
    env.write_text("AS_DEV=1\n")
    config = resolve_config(
        workspace="acme", username="u", api_key="k", path_envfile=env, port=443, environ={}
    )
    assert config.dev and not config.needs_master_lookup
    assert wire.api_endpoint(config).base == "http://127.0.0.1:8181"
    for value, dev in (("true", True), ("True", False), ("0", False)):
        assert (
            resolve_config(workspace="a", username="u", api_key="k", environ={"AS_DEV": value}).dev
            is dev
        )


def test_config_repr_hides_the_key() -> None:
    config = resolve_config(workspace="a", username="u", api_key="very-secret-key", environ={})
    assert "very-secret-key" not in repr(config)
    assert "very-secret-key" not in repr(config.api_key) + str(config.api_key)


@pytest.mark.parametrize("bad", [{"timeout": 0}, {"connect_timeout": -1}, {"port": 70000}])
def test_bad_numbers(bad: dict[str, float]) -> None:
    with pytest.raises(accsyn.ConfigurationError):
        resolve_config(workspace="a", username="u", api_key="k", environ={}, **bad)  # type: ignore[arg-type]


def test_tls_verification_is_on_by_default_with_an_explicit_opt_out() -> None:
    import ssl

    from accsyn.session import _client_kwargs

    on = _client_kwargs(resolve_config(workspace="a", username="u", api_key="k", environ={}))
    assert isinstance(on["verify"], ssl.SSLContext)
    assert on["verify"].verify_mode == ssl.CERT_REQUIRED
    assert on["verify"].check_hostname
    off = _client_kwargs(
        resolve_config(workspace="a", username="u", api_key="k", environ={}, verify=False)
    )
    assert off["verify"] is False


def test_timeouts() -> None:
    from accsyn.session import _client_kwargs

    default = _client_kwargs(resolve_config(workspace="a", username="u", api_key="k", environ={}))
    assert (default["timeout"].connect, default["timeout"].read) == (10.0, 120.0)
    custom = _client_kwargs(
        resolve_config(
            workspace="a", username="u", api_key="k", environ={}, timeout=30, connect_timeout=3
        )
    )
    assert (custom["timeout"].connect, custom["timeout"].read) == (3.0, 30.0)


@pytest.mark.parametrize("cls_name", ["Session", "AsyncSession"])
@pytest.mark.parametrize("legacy", ["pwd", "session_key"])
def test_legacy_credentials_are_a_configuration_error_naming_the_api_key(
    cls_name: str, legacy: str
) -> None:
    cls = getattr(accsyn, cls_name)
    with pytest.raises(accsyn.ConfigurationError) as info:
        cls(workspace="acme", username="me@acme.com", **{legacy: "s3cret-value"})
    text = str(info.value)
    assert f"{cls_name}({legacy}=...)" in text
    assert "API keys only" in text and "api_key=" in text and "ACCSYN_API_KEY" in text
    assert "s3cret-value" not in text


def test_other_unknown_keywords_stay_type_errors() -> None:
    with pytest.raises(TypeError, match="unexpected keyword argument 'pasword'"):
        accsyn.Session(workspace="acme", pasword="x")


def test_dot_env_proxy_applies_to_explicit_credentials(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The case: credentials passed explicitly, ACCSYN_PROXY only in ./.env
    # (where the official client's .env loading would have put it into os.environ).
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ACCSYN_PROXY", raising=False)
    monkeypatch.delenv("ACCSYN_CREDENTIALS_PATH", raising=False)
    (tmp_path / ".env").write_text("ACCSYN_PROXY=accsyn:10.0.0.7:8080\n")
    config = resolve_config(workspace="acme", username="me@acme.com", api_key="k")
    assert config.proxy == ProxySpec("accsyn", "10.0.0.7", 8080)
    assert "ACCSYN_PROXY" not in os.environ  # read, never written
    # An explicit proxy= still wins over the file.
    assert resolve_config(
        workspace="acme", username="me@acme.com", api_key="k", proxy="10.0.0.8:81"
    ).proxy == ProxySpec("accsyn", "10.0.0.8", 81)
