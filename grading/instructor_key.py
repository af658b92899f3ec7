"""The grader's own secret, kept in the instructor's account and never in OUT or a sandbox.

It does two things: it signs the reference answers the grader keeps in OUT/reference.json (an
HMAC), so a changed file is noticed and recomputed rather than believed; and it seeds the
points a function answer is graded on, so that no student can know them in advance.

Where: `$GRADING_STATE_DIR`, else `$XDG_STATE_HOME/beyond-least-squares-grading`, else
`~/.local/state/beyond-least-squares-grading`; the file `key` there, readable by its owner
only, made on first use. Losing it costs one reference run per notebook; grading with another
key moves the hidden points (a right function stays right).
"""

import hashlib
import hmac
import os
import secrets
from pathlib import Path

STATE_ENV_VAR = "GRADING_STATE_DIR"


def state_dir() -> Path:
    configured = os.environ.get(STATE_ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    base = os.environ.get("XDG_STATE_HOME", "").strip() or Path.home() / ".local" / "state"
    return Path(base) / "beyond-least-squares-grading"


def key() -> bytes:
    """The secret, made on first use (mode 0600 in a 0700 folder)."""
    folder = state_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / "key"
    if not path.is_file():
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
    return bytes.fromhex(path.read_text().strip())


def sign(data: bytes) -> str:
    return hmac.new(key(), data, hashlib.sha256).hexdigest()


def signed(data: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(data), signature)


def seed(*parts: str) -> int:
    """A 63-bit seed from the secret and `parts` (a notebook, a check's label)."""
    digest = hmac.new(key(), "\0".join(parts).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1
