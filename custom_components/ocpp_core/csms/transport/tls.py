"""TLS for security profiles 2 and 3: the server's context, and who a client certificate names.

Profile 2: the server shows its certificate (HA's own /ssl/fullchain.pem and
privkey.pem do); the charger proves itself with HTTP Basic.  Profile 3: the
charger must also show a certificate signed by the configured CA, whose common
name (CN) is its charge point id.
"""

from __future__ import annotations

import hashlib
import hmac
import ssl
from typing import Any


class TlsSetupError(ValueError):
    """A certificate, key or CA file cannot be used (the message names the file and why).

    `file`: "certfile" (the certificate or its key) or "cafile".
    """

    def __init__(self, message: str, file: str = "certfile") -> None:
        super().__init__(message)
        self.file = file


def server_context(certfile: str, keyfile: str | None, cafile: str | None = None) -> ssl.SSLContext:
    """The server's TLS context (TLS 1.2 or newer); with `cafile`, client certificates are required.

    Blocking (reads files): run it in a worker thread.  Raises TlsSetupError.
    """
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(certfile, keyfile or None)
    except FileNotFoundError as err:
        raise TlsSetupError(f"certificate or key file not found: {err.filename}") from None
    except (ssl.SSLError, OSError) as err:
        raise TlsSetupError(f"certificate {certfile} and key do not load: {err.strerror or err}") from None
    if cafile:
        try:
            context.load_verify_locations(cafile=cafile)
        except FileNotFoundError:
            raise TlsSetupError(f"CA file not found: {cafile}", "cafile") from None
        except (ssl.SSLError, OSError) as err:
            raise TlsSetupError(f"CA file {cafile} does not load: {err.strerror or err}", "cafile") from None
        context.verify_mode = ssl.CERT_REQUIRED
    return context


def common_name(peercert: dict[str, Any] | None) -> str | None:
    """The subject's CN of a verified peer certificate (as `SSLSocket.getpeercert()` gives it)."""
    if not peercert:
        return None
    for rdn in peercert.get("subject", ()):
        for key, value in rdn:
            if key == "commonName":
                return str(value)
    return None


def thumbprint_matches(der: bytes | None, pinned: str) -> bool:
    """Whether a certificate (DER) has the pinned thumbprint: SHA-1 for 40 hex digits, SHA-256 for 64; colons,
    blanks and case ignored."""
    wanted = "".join(pinned.split()).replace(":", "").lower()
    if der is None or len(wanted) not in (40, 64):
        return False
    digest = hashlib.sha1(der) if len(wanted) == 40 else hashlib.sha256(der)  # a thumbprint, not a signature
    return hmac.compare_digest(digest.hexdigest(), wanted)
