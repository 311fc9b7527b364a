"""Fernet encryption of secrets at rest, and key rotation that never takes a running server down.

Keys come from BIFROST_SECRET_KEY (one key, or a comma-separated list newest first) or, when it is unset,
from `<data_dir>/secret.key` (created with 0600 permissions on first use; one key per line, newest first).
The newest key encrypts; every key decrypts (MultiFernet).

Rotation protocol with the key file (`rotate_key`), safe against other processes sharing the data dir:
1. inside one write transaction (which holds SQLite's write lock across processes), prepend a new key to the
   file and re-encrypt every registered encrypted column with MultiFernet.rotate;
2. after the commit, rewrite the file with the new key alone.
Writers encrypt inside their own write transaction and re-read the file first (`encrypt`), so no value can be
written under a dropped key; a reader that still holds the old key re-reads the file once on InvalidToken.
"""

from __future__ import annotations

import logging
import os
import re
import secrets as stdlib_secrets
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import aiosqlite
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from bifrost.errors import ConfigurationError, ValidationError
from bifrost_mcp.storage import Database
from bifrost_mcp.storage.private import PRIVATE_FILE, make_private_dirs, narrow

logger = logging.getLogger(__name__)

ENV_VAR = "BIFROST_SECRET_KEY"
KEY_FILENAME = "secret.key"
SECRET_MASK = "[SECRET]"
_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class EncryptedColumn:
    """A column of Fernet tokens (NULL allowed) that key rotation re-encrypts; each data module declares its own."""

    table: str
    id_column: str
    column: str

    def __post_init__(self) -> None:
        for name in (self.table, self.id_column, self.column):
            if not _IDENTIFIER.match(name):
                raise ValidationError(f"not a plain SQL identifier: {name!r}")


@dataclass(frozen=True, slots=True)
class RotationReport:
    """What `rotate_key` did, and what (if anything) the operator must do next."""

    source: Literal["env", "file"]
    reencrypted: int
    next_step: str
    new_key: str | None = None


def generate_key() -> str:
    return Fernet.generate_key().decode("ascii")


class SecretBox:
    """Encrypts and decrypts secret strings for one data dir; one per process (`Host.secrets`)."""

    def __init__(self, data_dir: Path, env_value: str | None = None) -> None:
        self.key_file = data_dir / KEY_FILENAME
        self._env_keys = _parse_keys(env_value.split(","), ENV_VAR) if env_value and env_value.strip() else None
        self._file_text: str | None = None
        self._keys: list[str] = []
        self._fernet: MultiFernet | None = None

    @classmethod
    def from_env(cls, data_dir: Path) -> SecretBox:
        return cls(data_dir, os.environ.get(ENV_VAR))

    @property
    def source(self) -> Literal["env", "file"]:
        return "file" if self._env_keys is None else "env"

    def encrypt(self, plaintext: str) -> str:
        """A Fernet token for `plaintext` under the newest key. Call it inside the write transaction that stores it."""
        if self._env_keys is None:
            self._sync_with_file()  # another process may have rotated: never encrypt under a dropped key
        return self._multi().encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._multi().decrypt(token.encode("ascii")).decode("utf-8")
        except InvalidToken:
            # A rotation by another process may have re-encrypted under a key this process has not read yet.
            if self._env_keys is None and self._sync_with_file():
                try:
                    return self._multi().decrypt(token.encode("ascii")).decode("utf-8")
                except InvalidToken:
                    pass
        where = ENV_VAR if self._env_keys is not None else str(self.key_file)
        raise ConfigurationError(
            f"a stored secret cannot be decrypted with the key(s) in {where}: it was encrypted under another key. "
            "Restore the previous key (list it after the current one) and run `bifrost-mcp secrets rotate-key`."
        )

    async def rotate_key(self, db: Database, columns: Sequence[EncryptedColumn]) -> RotationReport:
        """Re-encrypt every registered encrypted column under a new key (see the module docstring)."""
        registry = list(columns)
        if self._env_keys is not None:
            return await self._rotate_env(db, registry)
        new_key = generate_key()
        async with db.transaction() as conn:
            self._sync_with_file()
            _replace_key_file(self.key_file, [new_key, *self._keys])
            self._sync_with_file()
            count = await _reencrypt(conn, self._multi(), registry)
        _replace_key_file(self.key_file, [new_key])
        self._sync_with_file()
        logger.info("rotated the secret key in %s; re-encrypted %d value(s)", self.key_file, count)
        return RotationReport("file", count, f"Nothing to do: {self.key_file} now holds only the new key.")

    async def _rotate_env(self, db: Database, registry: list[EncryptedColumn]) -> RotationReport:
        if self._env_keys is not None and len(self._env_keys) == 1:
            return RotationReport(
                "env",
                0,
                f"{ENV_VAR} is set, so the key lives outside bifrost-mcp and nothing was re-encrypted yet. "
                f"1. Set {ENV_VAR}=<new key>,<current key> for every bifrost-mcp process and restart them "
                "(both keys decrypt; new secrets use the new key). "
                "2. Run `bifrost-mcp secrets rotate-key` again: it re-encrypts every stored secret under the new key. "
                f"3. Set {ENV_VAR}=<new key> alone and restart.",
                new_key=generate_key(),
            )
        async with db.transaction() as conn:
            count = await _reencrypt(conn, self._multi(), registry)
        logger.info("re-encrypted %d value(s) under the first key of %s", count, ENV_VAR)
        return RotationReport(
            "env",
            count,
            f"Every stored secret is now encrypted under the first key of {ENV_VAR}. "
            f"Drop the older keys: set {ENV_VAR} to the first key alone and restart the bifrost-mcp processes.",
        )

    def _multi(self) -> MultiFernet:
        if self._fernet is None:
            if self._env_keys is not None:
                self._keys = self._env_keys
                self._fernet = MultiFernet([Fernet(k) for k in self._keys])
            else:
                self._sync_with_file()
        assert self._fernet is not None
        return self._fernet

    def _sync_with_file(self) -> bool:
        """Load the key file (creating it on first use) if it changed since the last load; True if it did."""
        text = _read_key_file(self.key_file)
        if text is None:
            _create_key_file(self.key_file)
            text = _read_key_file(self.key_file) or ""
        if text == self._file_text and self._fernet is not None:
            return False
        keys = _parse_keys(text.splitlines(), str(self.key_file))
        self._file_text, self._keys = text, keys
        self._fernet = MultiFernet([Fernet(k) for k in keys])
        return True


def _parse_keys(entries: Sequence[str], where: str) -> list[str]:
    keys = [e.strip() for e in entries if e.strip() and not e.strip().startswith("#")]
    if not keys:
        raise ConfigurationError(
            f"{where} holds no Fernet key. If secrets were stored, restore the key from a backup "
            "(without it they cannot be decrypted); otherwise generate one with `bifrost-mcp secrets generate-key`."
        )
    for number, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise ConfigurationError(
                f"key {number} in {where} is not a valid Fernet key (32 url-safe base64-encoded bytes); "
                "generate one with `bifrost-mcp secrets generate-key`"
            ) from None
    return keys


def _read_key_file(path: Path) -> str | None:
    try:
        mode = path.stat().st_mode
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    if mode & 0o077 and narrow(path, PRIVATE_FILE):
        logger.info("secret key file %s was readable by other users: made it 0600", path)
    return text


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, text.encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)


def _temp_path(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{stdlib_secrets.token_hex(4)}.tmp")


def _create_key_file(path: Path) -> None:
    make_private_dirs(path.parent)
    tmp = _temp_path(path)
    _write_private(tmp, generate_key() + "\n")
    try:
        os.link(tmp, path)  # atomic create-if-absent: if another process won the race, its key stands
        logger.info("created secret key file %s", path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def _replace_key_file(path: Path, keys: Sequence[str]) -> None:
    tmp = _temp_path(path)
    _write_private(tmp, "".join(f"{k}\n" for k in keys))
    os.replace(tmp, path)


async def _reencrypt(conn: aiosqlite.Connection, fernet: MultiFernet, registry: Sequence[EncryptedColumn]) -> int:
    count = 0
    for col in registry:
        rows = await conn.execute_fetchall(
            f"SELECT {col.id_column}, {col.column} FROM {col.table} WHERE {col.column} IS NOT NULL"
        )
        updates: list[tuple[str, object]] = []
        for row_id, token in rows:
            try:
                updates.append((fernet.rotate(str(token).encode("ascii")).decode("ascii"), row_id))
            except InvalidToken:
                raise ConfigurationError(
                    f"cannot re-encrypt {col.table}.{col.column} of row {row_id!r}: none of the current keys decrypts "
                    "it. Nothing was changed; add the key it was encrypted with after the current ones and retry."
                ) from None
        await conn.executemany(f"UPDATE {col.table} SET {col.column} = ? WHERE {col.id_column} = ?", updates)
        count += len(updates)
    return count


__all__ = [
    "ENV_VAR",
    "KEY_FILENAME",
    "SECRET_MASK",
    "EncryptedColumn",
    "RotationReport",
    "SecretBox",
    "generate_key",
]
