"""The personal link in a request e-mail: its token, and the placeholder mail keeps instead.

A link is ``/begaran/{request id}/{token}``. The token is an HMAC of the request
and a random salt under the installation's key (see :mod:`arshjul.lifecycle.tokens`
for the key). A leaf: the outbox, the sender, the lifecycle and the portal all
use it, and it uses none of them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets

LINK_PLACEHOLDER = "@@PERSONLIG_LÄNK@@"


def new_salt() -> str:
    """A fresh random salt for one request's link."""
    return secrets.token_urlsafe(16)


def derive_token(key: bytes, request_id: int, salt: str) -> str:
    """The token for a request: 43 URL-safe characters."""
    digest = hmac.new(key, f"begaran:{request_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def hash_token(token: str) -> str:
    """What the database keeps of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_match(token: str, expected_hash: str) -> bool:
    """Constant-time comparison of a presented token with a stored hash."""
    return hmac.compare_digest(hash_token(token), expected_hash)


def portal_link(base_url: str, request_id: int, token: str) -> str:
    """The URL a secretary clicks."""
    return f"{base_url.rstrip('/')}/begaran/{request_id}/{token}"


# A review of a governing document (arshjul/lifecycle/reviews.py) has a link of its own,
# ``/oversyn/{review id}/{token}``: an HMAC of the review and its salt under the same
# key, in another namespace, so that no request's token opens a review or the reverse.
# The e-mail keeps a placeholder naming the review; the sender puts the link in.
REVIEW_PLACEHOLDER = re.compile(r"@@ÖVERSYNSLÄNK:(\d{1,18})@@")


def review_placeholder(review_id: int) -> str:
    """What a review e-mail keeps in place of its link until it is sent."""
    return f"@@ÖVERSYNSLÄNK:{review_id}@@"


def derive_review_token(key: bytes, review_id: int, salt: str) -> str:
    """The token of a review's link: 43 URL-safe characters."""
    digest = hmac.new(key, f"oversyn:{review_id}:{salt}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def review_link(base_url: str, review_id: int, token: str) -> str:
    """The URL an owner clicks to answer a review."""
    return f"{base_url.rstrip('/')}/oversyn/{review_id}/{token}"
