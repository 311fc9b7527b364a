from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bifrost.errors import ValidationError
from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp.data.config import ConfigStore, ConfigView
from bifrost_mcp.data.secrets import ENV_VAR, SECRET_MASK
from bifrost_mcp.executions.state import RunState
from bifrost_mcp.host import Host
from tests.support.callers import caller_in
from tests.support.data_dir import files_containing, opened_host


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def _service(host: Host, org: Any, *, admin: bool = False, state: RunState | None = None) -> ConfigView:
    return ConfigView(host.config, caller_in(org, admin=admin), state)


VALUES: list[tuple[str, Any, str]] = [
    ("a_string", "https://api.example.com", "string"),
    ("an_int", 42, "int"),
    ("a_negative_int", -7, "int"),
    ("a_bool", True, "bool"),
    ("a_false_bool", False, "bool"),
    ("a_float", 2.5, "json"),
    ("a_dict", {"nested": {"n": 1, "ok": True}, "items": [1, "two", None]}, "json"),
    ("a_list", [1, 2.5, "three", {"four": 4}], "json"),
    ("an_empty_string", "", "string"),
    ("unicode", "grüße 👋", "string"),
]


@pytest.mark.parametrize(("key", "value", "stored_type"), VALUES)
async def test_values_keep_their_type_through_set_and_get(
    tmp_path: Path, key: str, value: Any, stored_type: str
) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        config = _service(host, org)

        await config.set(key, value)

        got = await config.get(key)
        assert got == value and type(got) is type(value)
        entry = await ConfigStore(host.db, host.secrets).get(org.id, key)
        assert entry is not None and entry.type == stored_type


@pytest.mark.parametrize(("key", "value", "stored_type"), VALUES)
async def test_secret_values_keep_their_type_and_come_back_plain(
    tmp_path: Path, key: str, value: Any, stored_type: str
) -> None:
    async with opened_host(tmp_path) as host:
        config = _service(host, None, admin=True)

        await config.set(key, value, is_secret=True)

        got = await config.get(key)
        assert got == value and type(got) is type(value)
        entry = await ConfigStore(host.db, host.secrets).get(GLOBAL_SCOPE, key)
        assert entry is not None and (entry.type, entry.value, entry.is_secret) == ("secret", SECRET_MASK, True)


async def test_get_prefers_the_organization_value_then_global_then_the_default(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        admin = _service(host, None, admin=True)
        await admin.set("api_url", "https://global.example.com")
        await admin.set("timeout", 30)
        config = _service(host, org)
        await config.set("api_url", "https://acme.example.com")

        assert await config.get("api_url") == "https://acme.example.com"
        assert await config.get("timeout") == 30
        assert await config.get("missing") is None
        assert await config.get("missing", default="fallback") == "fallback"
        assert await admin.get("api_url") == "https://global.example.com"


async def test_an_organization_cannot_read_overwrite_or_delete_another_organizations_value(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org_a = await host.identity.create_org("A")
        org_b = await host.identity.create_org("B")
        config_a, config_b = _service(host, org_a), _service(host, org_b)
        await config_b.set("db_password", "b-only-password", is_secret=True)
        await config_b.set("region", "eu")

        assert await config_a.get("db_password") is None
        assert await config_a.list() == {}
        await config_a.set("region", "us")
        assert await config_a.delete("db_password") is False

        assert await config_b.get("region") == "eu"
        assert await config_b.get("db_password") == "b-only-password"
        assert await config_a.get("region") == "us"


async def test_an_organization_deletes_only_its_own_value_and_then_sees_global_again(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        admin, config = _service(host, None, admin=True), _service(host, org)
        await admin.set("level", "global")
        await config.set("level", "org")

        assert await config.delete("level") is True
        assert await config.delete("level") is False

        assert await config.get("level") == "global"
        assert await admin.get("level") == "global"


async def test_a_platform_admin_in_global_scope_writes_global_values_every_organization_inherits(
    tmp_path: Path,
) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")

        await _service(host, None, admin=True).set("anthropic_api_key", "sk-ant-global-1", is_secret=True)

        rows = await host.db.fetchall("SELECT scope FROM config_values WHERE key = 'anthropic_api_key'")
        assert [r["scope"] for r in rows] == [GLOBAL_SCOPE]
        assert await _service(host, org).get("anthropic_api_key") == "sk-ant-global-1"


async def test_a_platform_admin_acting_in_an_organization_writes_that_organization(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")

        await _service(host, org, admin=True).set("k", "v")

        rows = await host.db.fetchall("SELECT scope FROM config_values WHERE key = 'k'")
        assert [r["scope"] for r in rows] == [org.id]


async def test_list_merges_global_and_organization_values_and_masks_secrets(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        admin, config = _service(host, None, admin=True), _service(host, org)
        await admin.set("shared", "global")
        await admin.set("global_only", 1)
        await admin.set("openai_api_key", "sk-openai-global", is_secret=True)
        await config.set("shared", "org")
        await config.set("api_key", "sk-acme-secret", is_secret=True)

        listed = await config.list()

        assert listed == {
            "api_key": SECRET_MASK,
            "global_only": 1,
            "openai_api_key": SECRET_MASK,
            "shared": "org",
        }
        entries = await ConfigStore(host.db, host.secrets).list(org.id)
        assert [(e.key, e.scope) for e in entries] == [
            ("api_key", org.id),
            ("global_only", GLOBAL_SCOPE),
            ("openai_api_key", GLOBAL_SCOPE),
            ("shared", org.id),
        ]


async def test_reading_or_setting_a_secret_registers_it_with_the_run_for_redaction(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        await _service(host, None, admin=True).set("anthropic_api_key", "sk-ant-registered", is_secret=True)
        await _service(host, None, admin=True).set(
            "creds", {"user": "svc-user", "password": "pw-nested-1"}, is_secret=True
        )
        await _service(host, None, admin=True).set("plain", "not-a-secret-value")
        state = RunState(execution_id="exec-1")
        config = _service(host, None, admin=True, state=state)

        assert await config.get("anthropic_api_key") == "sk-ant-registered"
        await config.get("creds")
        await config.get("plain")
        await config.set("written_secret", "written-secret-1", is_secret=True)

        assert state.secrets == {"sk-ant-registered", "svc-user", "pw-nested-1", "written-secret-1"}
        assert state.redact("key=sk-ant-registered") == "key=[REDACTED]"


async def test_a_secret_value_is_never_on_disk_in_plaintext(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        config = _service(host, org)
        await config.set("api_key", "sk-live-plaintext-0042", is_secret=True)
        await config.set("nested", {"password": "nested-plaintext-0043"}, is_secret=True)
        assert await config.get("api_key") == "sk-live-plaintext-0042"
        await config.set("api_key", "sk-live-plaintext-0044", is_secret=True)

        for needle in ("sk-live-plaintext-0042", "nested-plaintext-0043", "sk-live-plaintext-0044"):
            assert files_containing(tmp_path, needle) == []
    for needle in ("sk-live-plaintext-0042", "nested-plaintext-0043", "sk-live-plaintext-0044"):
        assert files_containing(tmp_path, needle) == []


async def test_overwriting_a_secret_with_a_plain_value_drops_the_ciphertext(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        config = _service(host, None, admin=True)
        await config.set("k", "was-secret", is_secret=True)

        await config.set("k", "now plain")

        row = await host.db.fetchone("SELECT type, value, ciphertext FROM config_values WHERE key = 'k'")
        assert row is not None and (row["type"], row["value"], row["ciphertext"]) == ("string", '"now plain"', None)
        assert await config.list() == {"k": "now plain"}


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (None, "not NoneType; to remove a key use config.delete"),
        ({1, 2}, "not set"),
        (float("nan"), "not JSON-serializable"),
        ({"when": object()}, "not JSON-serializable"),
        ("x" * 1_000_001, "larger than 1000000 bytes"),
    ],
)
async def test_unstorable_values_are_rejected_with_what_to_use_instead(
    tmp_path: Path, value: Any, message: str
) -> None:
    async with opened_host(tmp_path) as host:
        with pytest.raises(ValidationError, match=message):
            await _service(host, None, admin=True).set("k", value)
        assert await host.db.fetchall("SELECT * FROM config_values") == []


@pytest.mark.parametrize("key", ["", "   ", " padded", "new\nline", "k" * 201])
async def test_invalid_keys_are_rejected(tmp_path: Path, key: str) -> None:
    async with opened_host(tmp_path) as host:
        config = _service(host, None, admin=True)
        with pytest.raises(ValidationError, match="config key"):
            await config.set(key, "v")
        with pytest.raises(ValidationError, match="config key"):
            await config.get(key)
