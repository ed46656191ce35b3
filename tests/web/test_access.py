"""Who may use the chat: loopback is login-free, anything else needs a login or --no-auth."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest

from newsdesk.errors import ServeError
from newsdesk.web.access import (
    PASSWORD_ENV,
    Access,
    access_for,
    hash_password,
    is_loopback,
    read_auth_file,
    verify_password,
)
from newsdesk.web.app import launch_options


@pytest.mark.parametrize(("host", "loopback"), [
    ("127.0.0.1", True), ("127.0.0.2", True), ("localhost", True), ("::1", True),
    ("[::1]", True), ("0.0.0.0", False), ("::", False), ("192.168.1.20", False),
    ("newsdesk.example.org", False),
])
def test_loopback_is_only_this_machine(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_an_exposed_chat_needs_a_login_or_no_auth(tmp_path: Path) -> None:
    with pytest.raises(ServeError, match="would be reachable from other machines without a "
                                         "login"):
        access_for("0.0.0.0", env={})
    open_chat = access_for("0.0.0.0", no_auth=True, env={})
    assert (open_chat.login, open_chat.editable, open_chat.allow_private_urls) == (
        False, False, False)
    assert not open_chat.may_edit(None)
    local = access_for("127.0.0.1", env={})
    assert (local.login, local.editable, local.allow_private_urls) == (False, True, True)
    assert local.may_edit(None)
    assert launch_options(local).get("auth") is None


def test_a_password_in_the_environment_is_a_login(tmp_path: Path) -> None:
    access = access_for("0.0.0.0", env={PASSWORD_ENV: "kestrel-bay"})
    assert access.login
    assert list(access.users) == ["newsdesk"]
    assert access.may_edit("newsdesk")
    assert not access.may_edit(None)
    assert access_for("0.0.0.0", allow_private_urls=True,
                      env={PASSWORD_ENV: "x" * 8}).allow_private_urls
    options = launch_options(access, 5_000_000)
    assert options["max_file_size"] == 5_000_000
    check = options["auth"]
    assert asyncio.run(check("newsdesk", "kestrel-bay")) is True
    t0 = time.monotonic()
    assert asyncio.run(check("newsdesk", "wrong")) is False
    assert time.monotonic() - t0 >= 0.9  # a wrong guess waits
    assert asyncio.run(check("nobody", "kestrel-bay")) is False


def test_an_auth_file_holds_user_and_hash_lines(tmp_path: Path) -> None:
    bcrypt = pytest.importorskip("bcrypt")
    users = tmp_path / "users"
    htpasswd = bcrypt.hashpw(b"apache-made", bcrypt.gensalt(4)).decode().replace("$2b$", "$2y$")
    users.write_text(f"# editors\nann:{hash_password('ann-secret', 1000)}\n\nbob:{htpasswd}\n")
    table = read_auth_file(users)
    assert verify_password("ann-secret", table["ann"])
    assert verify_password("apache-made", table["bob"])
    assert not verify_password("ann-secret", table["bob"])
    assert access_for("0.0.0.0", auth_file=users, env={}).users == table
    for bad in ("ann:plain-password\n", "no colon\n", "", ":pbkdf2_sha256$1$a$b\n"):
        users.write_text(bad)
        with pytest.raises(ServeError, match="--auth-file"):
            read_auth_file(users)
    with pytest.raises(ServeError, match="cannot read"):
        read_auth_file(tmp_path / "missing")


def test_a_malformed_hash_never_matches() -> None:
    for stored in ("pbkdf2_sha256$x$a$b", "pbkdf2_sha256$1$$", "md5$abc", ""):
        assert not verify_password("anything", stored)
    assert Access().gradio_auth() is None
