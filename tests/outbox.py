"""The emails the app wrote to its outbox, VAR_DIR/mail/, when no SMTP_HOST is set."""

import re
from email import message_from_bytes, policy


def emails(var_dir):
    """Every email sent so far, oldest first."""
    paths = sorted((var_dir / "mail").glob("*.eml"))
    return [message_from_bytes(path.read_bytes(), policy=policy.default) for path in paths]


def reset_link(var_dir, to):
    """The path of the password-reset link in the last email to ``to``."""
    last = [email for email in emails(var_dir) if email["To"] == to][-1]
    return re.search(r"https?://[^/\s]+(/password/reset/\S+)", last.get_content()).group(1)
