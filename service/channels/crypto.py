"""Shared helpers for the Feishu, DingTalk and WeCom adapters.

AES-CBC with PKCS#7 (through the ``cryptography`` package, never hand-written AES), constant-time
comparison, case-insensitive header lookup, and the access-token cache both Feishu and WeCom need.
Everything here is pure: no I/O, the caller supplies ``now``.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


class PaddingError(ValueError):
    """The decrypted data does not end in valid PKCS#7 padding (wrong key, or a tampered body)."""


def pkcs7_pad(data: bytes, block_size: int) -> bytes:
    """Pad to a multiple of ``block_size`` (WeCom pads to 32 although AES blocks are 16)."""
    n = block_size - len(data) % block_size
    return data + bytes([n]) * n


def pkcs7_unpad(data: bytes, block_size: int) -> bytes:
    """Strip PKCS#7 padding strictly: every pad byte must equal the pad length, 1..block_size."""
    if not data:
        raise PaddingError("empty plaintext")
    n = data[-1]
    if not 1 <= n <= block_size or n > len(data) or data[-n:] != bytes([n]) * n:
        raise PaddingError("bad PKCS#7 padding")
    return data[:-n]


def aes_cbc_encrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC over already padded ``data`` (the key length picks AES-128/192/256)."""
    encryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return encryptor.update(data) + encryptor.finalize()


def aes_cbc_decrypt(key: bytes, iv: bytes, data: bytes) -> bytes:
    """AES-CBC decryption without unpadding; ValueError when ``data`` is not whole blocks."""
    if not data or len(data) % 16:
        raise ValueError("ciphertext is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    return decryptor.update(data) + decryptor.finalize()


def safe_equals(expected: str, given: str) -> bool:
    """Constant-time string comparison, so a forger learns nothing from response timing."""
    return hmac.compare_digest(expected.encode(), given.encode())


class TokenUnavailable(RuntimeError):
    """``outbound`` needs an access token: fetch ``token_request()`` and ``remember_token`` it first."""


class TokenError(RuntimeError):
    """The platform refused to issue an access token (wrong app id / secret, …)."""


@dataclass
class AccessTokenCache:
    """One cached access token and the moment it stops being used.

    The transport sends the adapter's ``token_request()``, hands the JSON back to ``remember_token``,
    and later asks ``cached_token(now)``. The token is dropped ``margin`` seconds before the platform's
    expiry so a reply in flight never carries a token that dies on the way.
    """

    margin: float = 300.0
    token: str | None = None
    expires_at: float = 0.0

    def remember(self, token: str, expires_in: float, now: float) -> None:
        # A short-lived token (expires_in <= margin) would never be usable with the full margin,
        # so keep it for half its life instead of refetching on every reply.
        lifetime = max(expires_in - self.margin, expires_in / 2)
        self.token = token
        self.expires_at = now + lifetime

    def get(self, now: float) -> str | None:
        if self.token is None or now >= self.expires_at:
            return None
        return self.token

    def clear(self) -> None:
        """Forget the token (e.g. the API answered that it is invalid)."""
        self.token = None
        self.expires_at = 0.0


class TokenHolder:
    """Access-token handling shared by the adapters whose API needs one (Feishu, WeCom): the
    subclass sets ``name``, ``_tokens`` and ``_clock`` and validates the platform's token response."""

    name: str
    _tokens: AccessTokenCache
    _clock: Callable[[], float]

    def _store_token(self, token: str, expires_in: float, now: float | None) -> str:
        self._tokens.remember(token, expires_in, self._clock() if now is None else now)
        return token

    def cached_token(self, now: float | None = None) -> str | None:
        """The cached token, or None when there is none or it is (nearly) expired."""
        return self._tokens.get(self._clock() if now is None else now)

    def forget_token(self) -> None:
        """Drop the token, e.g. after the API answered that it is invalid or expired."""
        self._tokens.clear()

    def _require_token(self) -> str:
        token = self.cached_token()
        if token is None:
            raise TokenUnavailable(
                f"{self.name}: no access token; send token_request() and remember_token() it"
            )
        return token
