from __future__ import annotations

import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bifrost.errors import ConfigurationError
from bifrost.platform import GLOBAL_SCOPE
from bifrost_mcp.data.config import ConfigStore
from bifrost_mcp.data.secrets import ENV_VAR, KEY_FILENAME, SecretBox
from bifrost_mcp.host import all_encrypted_columns
from tests.support.data_dir import data_files, files_containing, opened_host


@pytest.fixture(autouse=True)
def _no_env_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_VAR, raising=False)


def _file_keys(data_dir: Path) -> list[str]:
    return [line for line in (data_dir / KEY_FILENAME).read_text().splitlines() if line]


def test_the_key_file_is_created_on_first_use_with_0600_permissions(tmp_path: Path) -> None:
    box = SecretBox(tmp_path)
    assert not (tmp_path / KEY_FILENAME).exists()

    token = box.encrypt("hunter22")

    mode = stat.S_IMODE((tmp_path / KEY_FILENAME).stat().st_mode)
    assert mode == 0o600
    assert len(_file_keys(tmp_path)) == 1
    assert "hunter22" not in token
    assert box.decrypt(token) == "hunter22"


def test_a_second_box_on_the_same_data_dir_reuses_the_key_file(tmp_path: Path) -> None:
    token = SecretBox(tmp_path).encrypt("shared-secret")

    assert SecretBox(tmp_path).decrypt(token) == "shared-secret"


def test_bifrost_secret_key_is_used_instead_of_a_key_file(tmp_path: Path) -> None:
    key = Fernet.generate_key().decode()
    box = SecretBox(tmp_path, key)

    token = box.encrypt("from-env")

    assert not (tmp_path / KEY_FILENAME).exists()
    assert Fernet(key.encode()).decrypt(token.encode()) == b"from-env"
    assert box.source == "env"


def test_bifrost_secret_key_with_several_keys_decrypts_old_tokens_and_encrypts_with_the_first(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    old_token = SecretBox(tmp_path, old).encrypt("before")
    box = SecretBox(tmp_path, f"{new}, {old}")

    assert box.decrypt(old_token) == "before"
    assert Fernet(new.encode()).decrypt(box.encrypt("after").encode()) == b"after"


def test_an_invalid_bifrost_secret_key_is_a_configuration_error_that_does_not_echo_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="not a valid Fernet key") as caught:
        SecretBox(tmp_path, "not-a-key-at-all")

    assert "not-a-key-at-all" not in str(caught.value)
    assert "generate-key" in str(caught.value)


def test_a_token_from_another_key_is_a_configuration_error_naming_the_key_source(tmp_path: Path) -> None:
    foreign = Fernet(Fernet.generate_key()).encrypt(b"elsewhere").decode()

    with pytest.raises(ConfigurationError, match=KEY_FILENAME):
        SecretBox(tmp_path).decrypt(foreign)


async def test_rotate_key_re_encrypts_config_secrets_and_integration_secrets_under_a_new_key(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        config = ConfigStore(host.db, host.secrets)
        await config.set(GLOBAL_SCOPE, "api_key", "sk-global-123456", is_secret=True)
        await config.set(org.id, "db_password", {"user": "acme", "password": "pw-acme-987"}, is_secret=True)
        await config.set(org.id, "plain", "not secret")
        await host.integrations.create(
            "Graph", token_url="https://login.example.com/token", client_id="cid", client_secret="client-secret-xyz"
        )
        await host.integrations.map("Graph", org.id)
        expiry = datetime.now(UTC) + timedelta(hours=1)
        await host.integrations.set_oauth(
            "Graph", org.id, access_token="access-abc-111", refresh_token="refresh-def-222", expires_at=expiry
        )
        old_keys = _file_keys(tmp_path)
        before = {tuple(r) for r in await host.db.fetchall("SELECT id, ciphertext FROM config_values")}

        report = await host.rotate_secret_key()

        new_keys = _file_keys(tmp_path)
        after = {tuple(r) for r in await host.db.fetchall("SELECT id, ciphertext FROM config_values")}
        assert report.source == "file"
        assert report.reencrypted == 5  # two config secrets, the client secret, access and refresh tokens
        assert len(new_keys) == 1 and new_keys != old_keys
        assert stat.S_IMODE((tmp_path / KEY_FILENAME).stat().st_mode) == 0o600
        assert before != after
        only_new = SecretBox(tmp_path, new_keys[0])
        for (token,) in await host.db.fetchall("SELECT ciphertext FROM config_values WHERE ciphertext IS NOT NULL"):
            only_new.decrypt(token)
        for column in ("access_token_enc", "refresh_token_enc"):
            (token,) = await host.db.fetchone(f"SELECT {column} FROM integration_mappings")  # type: ignore[misc]
            only_new.decrypt(token)
        assert (await config.get(org.id, "db_password", reveal=True)).value == {  # type: ignore[union-attr]
            "user": "acme",
            "password": "pw-acme-987",
        }
        data = await host.integrations.resolve("Graph", org.id)
        assert data is not None and data.oauth is not None
        assert (data.oauth.access_token, data.oauth.refresh_token) == ("access-abc-111", "refresh-def-222")


async def test_a_box_opened_before_rotation_still_decrypts_and_encrypts_under_the_new_key(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        config = ConfigStore(host.db, host.secrets)
        await config.set(GLOBAL_SCOPE, "token", "running-server-secret", is_secret=True)
        running_server = SecretBox(tmp_path)  # a second process that loaded the old key before the rotation
        row = await host.db.fetchone("SELECT ciphertext FROM config_values")
        assert row is not None
        assert running_server.decrypt(row[0]) == '"running-server-secret"'

        await host.rotate_secret_key()

        row = await host.db.fetchone("SELECT ciphertext FROM config_values")
        assert row is not None
        assert running_server.decrypt(row[0]) == '"running-server-secret"'
        written_after = running_server.encrypt("written-after-rotation")
        assert SecretBox(tmp_path, _file_keys(tmp_path)[0]).decrypt(written_after) == "written-after-rotation"


async def test_rotation_with_an_undecryptable_value_changes_nothing_and_says_what_to_do(tmp_path: Path) -> None:
    async with opened_host(tmp_path) as host:
        config = ConfigStore(host.db, host.secrets)
        await config.set(GLOBAL_SCOPE, "good", "good-secret", is_secret=True)
        foreign = Fernet(Fernet.generate_key()).encrypt(b'"lost"').decode()
        await host.db.execute(
            "INSERT INTO config_values (id, scope, key, type, ciphertext, created_at, updated_at)"
            " VALUES ('x', 'GLOBAL', 'orphan', 'secret', ?, '', '')",
            (foreign,),
        )
        before = [tuple(r) for r in await host.db.fetchall("SELECT id, ciphertext FROM config_values ORDER BY id")]

        with pytest.raises(
            ConfigurationError, match=re.escape("cannot re-encrypt config_values.ciphertext of row 'x'")
        ):
            await host.rotate_secret_key()

        after = [tuple(r) for r in await host.db.fetchall("SELECT id, ciphertext FROM config_values ORDER BY id")]
        assert after == before
        assert (await config.get(GLOBAL_SCOPE, "good", reveal=True)).value == "good-secret"  # type: ignore[union-attr]


async def test_rotation_with_one_env_key_prints_a_new_key_and_re_encrypts_nothing(tmp_path: Path) -> None:
    current = Fernet.generate_key().decode()
    async with opened_host(tmp_path) as host:
        host.secrets = SecretBox(tmp_path, current)
        config = ConfigStore(host.db, host.secrets)
        await config.set(GLOBAL_SCOPE, "k", "env-secret-1", is_secret=True)
        before = await host.db.fetchall("SELECT ciphertext FROM config_values")

        report = await host.rotate_secret_key()

        assert report.source == "env" and report.reencrypted == 0
        assert report.new_key is not None
        Fernet(report.new_key.encode())  # a valid key
        assert f"{ENV_VAR}=<new key>,<current key>" in report.next_step
        assert [tuple(r) for r in await host.db.fetchall("SELECT ciphertext FROM config_values")] == [
            tuple(r) for r in before
        ]
        assert not (tmp_path / KEY_FILENAME).exists()


async def test_rotation_with_new_and_old_env_keys_re_encrypts_under_the_new_one(tmp_path: Path) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    async with opened_host(tmp_path) as host:
        config = ConfigStore(host.db, SecretBox(tmp_path, old))
        await config.set(GLOBAL_SCOPE, "k", "env-secret-2", is_secret=True)
        both = SecretBox(tmp_path, f"{new},{old}")

        report = await both.rotate_key(host.db, all_encrypted_columns())

        assert report.reencrypted == 1
        assert "set BIFROST_SECRET_KEY to the first key alone" in report.next_step
        only_new = ConfigStore(host.db, SecretBox(tmp_path, new))
        assert (await only_new.get(GLOBAL_SCOPE, "k", reveal=True)).value == "env-secret-2"  # type: ignore[union-attr]


async def test_no_secret_or_token_is_ever_in_plaintext_in_the_data_dir(tmp_path: Path) -> None:
    plaintexts = ["cfg-secret-plain-4711", "client-secret-plain-4712", "access-plain-4713", "refresh-plain-4714"]
    async with opened_host(tmp_path) as host:
        org = await host.identity.create_org("Acme")
        config = ConfigStore(host.db, host.secrets)
        await config.set(org.id, "api_key", plaintexts[0], is_secret=True)
        await host.integrations.create("Halo", token_url="https://halo.example.com/token", client_secret=plaintexts[1])
        await host.integrations.map("Halo", org.id)
        await host.integrations.set_oauth("Halo", org.id, access_token=plaintexts[2], refresh_token=plaintexts[3])
        assert (await config.get(org.id, "api_key", reveal=True)).value == plaintexts[0]  # type: ignore[union-attr]
        assert await host.integrations.resolve("Halo", org.id) is not None
        await host.rotate_secret_key()
        assert (await config.get(org.id, "api_key", reveal=True)).value == plaintexts[0]  # type: ignore[union-attr]

        assert any(name.endswith("-wal") for name in data_files(tmp_path))  # the grep below covers the WAL too
        for plaintext in plaintexts:
            assert files_containing(tmp_path, plaintext) == []
    for plaintext in plaintexts:
        assert files_containing(tmp_path, plaintext) == []
