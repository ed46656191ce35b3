"""Who may use the chat: loopback is login-free; any other address needs a login.

Logins come from `--auth-file FILE` (lines `user:password-hash`, hashes made by
`newsdesk password USER`, or bcrypt ones from `htpasswd -B`) or from the environment
(`NEWSDESK_CHAT_PASSWORD`, user `NEWSDESK_CHAT_USER`, default `newsdesk`). Gradio's own
login page asks for them. Adding, removing and re-indexing need a logged-in user, except
on a login-free loopback chat, whose only user is the machine's own.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import os
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from newsdesk.errors import ServeError

PASSWORD_ENV = "NEWSDESK_CHAT_PASSWORD"
USER_ENV = "NEWSDESK_CHAT_USER"
DEFAULT_USER = "newsdesk"
PBKDF2_ROUNDS = 200_000
FAILED_LOGIN_DELAY = 1.0  # seconds a wrong password waits: slows guessing, blocks nobody
_SCHEME = "pbkdf2_sha256"


def hash_password(password: str, rounds: int = PBKDF2_ROUNDS) -> str:
    """`pbkdf2_sha256$rounds$salt$hash`, for an auth file line `user:<this>`."""
    salt = secrets.token_bytes(16)
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, rounds)
    return "$".join([_SCHEME, str(rounds), _b64(salt), _b64(digest)])


def verify_password(password: str, stored: str) -> bool:
    """Whether `password` matches a stored hash (ours, or bcrypt `$2b$…`/`$2y$…`)."""
    if stored.startswith(("$2a$", "$2b$", "$2y$")):
        try:
            import bcrypt
        except ImportError:  # chromadb brings it; without it a bcrypt line cannot match
            return False
        return bool(bcrypt.checkpw(password.encode("utf-8"),
                                   stored.replace("$2y$", "$2b$", 1).encode("ascii")))
    parts = stored.split("$")
    if len(parts) != 4 or parts[0] != _SCHEME or not parts[1].isdigit():
        return False
    salt, expected = _unb64(parts[2]), _unb64(parts[3])
    digest = hashlib.pbkdf2_hmac("sha256", password.encode("utf-8"), salt, int(parts[1]))
    return hmac.compare_digest(digest, expected)


def read_auth_file(path: Path) -> dict[str, str]:
    """user → password hash, from lines `user:hash` (blank lines and `#` comments skipped)."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ServeError(f"--auth-file: cannot read {path} ({exc})") from None
    users: dict[str, str] = {}
    for number, line in enumerate(lines, start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        user, colon, stored = line.partition(":")
        if not colon or not user or not _known_hash(stored):
            raise ServeError(f"--auth-file: {path} line {number} is not user:password-hash "
                             "(make a line with: newsdesk password USER)")
        users[user] = stored
    if not users:
        raise ServeError(f"--auth-file: {path} has no user:password-hash lines")
    return users


def is_loopback(host: str) -> bool:
    """Whether the chat listens only on this machine (127.0.0.0/8, ::1, localhost)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may be reachable from anywhere


@dataclass(frozen=True)
class Access:
    """The chat's login rule: `users` (user → hash) when a login is required."""

    exposed: bool = False
    users: Mapping[str, str] = field(default_factory=dict)
    allow_private_urls: bool = True

    @property
    def login(self) -> bool:
        return bool(self.users)

    @property
    def editable(self) -> bool:
        """Whether anyone may edit: a logged-in user, or anyone on a login-free loopback."""
        return self.login or not self.exposed

    def may_edit(self, username: str | None) -> bool:
        """Whether this user may add, remove or re-index."""
        return bool(username) if self.login else not self.exposed

    def gradio_auth(self) -> Callable[[str, str], Awaitable[bool]] | None:
        """The `auth` for `launch()`: hashing runs off the event loop; failures wait."""
        if not self.login:
            return None
        users = dict(self.users)

        async def check(username: str, password: str) -> bool:
            stored = users.get(username)
            ok = stored is not None and await asyncio.to_thread(verify_password, password,
                                                                stored)
            if not ok:
                await asyncio.sleep(FAILED_LOGIN_DELAY)
            return ok

        return check


def access_for(host: str, auth_file: Path | None = None, no_auth: bool = False,
               allow_private_urls: bool = False,
               env: Mapping[str, str] | None = None) -> Access:
    """The access rule for `newsdesk chat` with these options, or a `ServeError` when the
    chat would be reachable from other machines without a login."""
    env = os.environ if env is None else env
    exposed = not is_loopback(host)
    users: dict[str, str] = {}
    if auth_file is not None:
        users = read_auth_file(auth_file)
    elif env.get(PASSWORD_ENV):
        users = {env.get(USER_ENV) or DEFAULT_USER: hash_password(env[PASSWORD_ENV], 1_000)}
    if exposed and not users and not no_auth:
        raise ServeError(
            f"the chat on {host} would be reachable from other machines without a login: "
            f"give --auth-file FILE (lines user:password-hash, made with: newsdesk password "
            f"USER) or set {PASSWORD_ENV}; or pass --no-auth if that is what you want")
    return Access(exposed, users, allow_private_urls or not exposed)


def _known_hash(stored: str) -> bool:
    return stored.startswith((f"{_SCHEME}$", "$2a$", "$2b$", "$2y$"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError:
        return b""
