"""The RSA key and X.509 certificate that identify the adapter to ONSS (Chaman REST channel).

``create_key_pair`` makes a key (0600) and a self-signed certificate (0644) to upload in Chaman
(or to register in the sandbox); the loaders read PEM files, inline PEM or PKCS#12 for the token
provider. Nothing here prints or logs key material; ``SigningMaterial``'s repr is masked.

Files are written whole or not at all, never through a symbolic link, with their modes set
explicitly (the umask plays no part): each goes to a fresh temporary file in the target
directory (``O_EXCL | O_NOFOLLOW``), is synced, then linked to its name, which fails if the
name exists in any form, or renamed over it when overwriting is asked for (a rename replaces
a symbolic link itself, never its target).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from adapter.core.errors import FatalConfiguration
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.errors import KeyFilesExist

KEY_SIZE = 2048
CERTIFICATE_DAYS = 3 * 365
DIRECTORY_MODE = 0o700
PRIVATE_KEY_MODE = 0o600
CERTIFICATE_MODE = 0o644


@dataclass(frozen=True, slots=True)
class KeyPairPaths:
    private_key: Path
    certificate: Path


@dataclass(frozen=True, slots=True)
class SigningMaterial:
    """The private key that signs client assertions, with its certificate when known."""

    private_key: rsa.RSAPrivateKey = field(repr=False)
    certificate: x509.Certificate | None = field(default=None, repr=False)

    def __repr__(self) -> str:
        subject = self.certificate.subject.rfc4514_string() if self.certificate else None
        return f"SigningMaterial(private_key=<redacted>, certificate_subject={subject!r})"

    def certificate_pem(self) -> str | None:
        if self.certificate is None:
            return None
        return self.certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")


def _safe_name(client_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", client_id) or "client"


def create_key_pair(
    directory: Path,
    client_id: str,
    *,
    common_name: str | None = None,
    now: dt.datetime | None = None,
    overwrite: bool = False,
) -> KeyPairPaths:
    """Write ``<client>.key.pem`` (RSA 2048, 0600) and ``<client>.crt.pem`` (self-signed, 0644).

    Missing directories are created 0700. Existing files (or links) at either name raise
    :class:`KeyFilesExist` before anything is written, unless ``overwrite``.
    """
    stem = _safe_name(client_id)
    paths = KeyPairPaths(directory / f"{stem}.key.pem", directory / f"{stem}.crt.pem")
    if not overwrite:
        taken = [path for path in (paths.private_key, paths.certificate) if _exists(path)]
        if taken:
            raise KeyFilesExist(taken)
    _make_directories(directory)
    key = rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name or client_id)])
    start = now or dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start - dt.timedelta(minutes=5))
        .not_valid_after(start + dt.timedelta(days=CERTIFICATE_DAYS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    _write_file(paths.private_key, key_bytes, PRIVATE_KEY_MODE, overwrite=overwrite)
    certificate_bytes = certificate.public_bytes(serialization.Encoding.PEM)
    _write_file(paths.certificate, certificate_bytes, CERTIFICATE_MODE, overwrite=overwrite)
    return paths


def _exists(path: Path) -> bool:
    """A file, a directory or a link (even a dangling one) holds the name."""
    return os.path.lexists(path)


def _make_directories(directory: Path) -> None:
    """Create what is missing of ``directory`` with 0700; existing ones are left as they are."""
    missing: list[Path] = []
    current = directory
    while not _exists(current):
        missing.append(current)
        current = current.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made meanwhile by someone else: keep it
            path.mkdir(mode=DIRECTORY_MODE)
            path.chmod(DIRECTORY_MODE)  # mkdir's mode is filtered by the umask


def _write_file(path: Path, data: bytes, mode: int, *, overwrite: bool) -> None:
    """Write ``data`` to ``path`` with ``mode``, atomically, never through a symbolic link."""
    # mkstemp opens with O_CREAT | O_EXCL | O_NOFOLLOW and mode 0600: no one else can read it
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    temporary = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        if overwrite:
            temporary.replace(path)
        else:
            try:
                os.link(temporary, path, follow_symlinks=False)
            except FileExistsError:
                raise KeyFilesExist([path]) from None
            temporary.unlink()
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    _sync_directory(path.parent)


def _sync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_pkcs12(paths: KeyPairPaths, target: Path, password: str | None) -> Path:
    """Bundle a key pair as PKCS#12 (what some key stores hand out), mode 0600."""
    material = load_pem_files(paths.private_key, paths.certificate)
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password.encode())
        if password
        else serialization.NoEncryption()
    )
    data = pkcs12.serialize_key_and_certificates(
        b"dimona", material.private_key, material.certificate, None, encryption
    )
    _write_file(target, data, PRIVATE_KEY_MODE, overwrite=True)
    return target


def _rsa_key(key: object, origin: str) -> rsa.RSAPrivateKey:
    if not isinstance(key, rsa.RSAPrivateKey):
        raise FatalConfiguration(f"{origin}: the private key must be an RSA key (RS256)")
    return key


def _check_pair(material: SigningMaterial, origin: str) -> SigningMaterial:
    if material.certificate is not None:
        cert_key = material.certificate.public_key()
        if not isinstance(cert_key, rsa.RSAPublicKey) or (
            cert_key.public_numbers() != material.private_key.public_key().public_numbers()
        ):
            raise FatalConfiguration(f"{origin}: the certificate does not match the private key")
    return material


def load_pem(key_pem: bytes, certificate_pem: bytes | None = None) -> SigningMaterial:
    """Load an unencrypted PEM private key (PKCS#1 or PKCS#8) and an optional certificate."""
    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
        certificate = x509.load_pem_x509_certificate(certificate_pem) if certificate_pem else None
    except (ValueError, TypeError) as exc:
        # The library's message never contains the key; ours neither.
        raise FatalConfiguration(f"unreadable PEM key or certificate: {exc}") from None
    return _check_pair(SigningMaterial(_rsa_key(key, "PEM"), certificate), "PEM")


def load_pem_files(key_path: Path, certificate_path: Path | None = None) -> SigningMaterial:
    try:
        key_pem = key_path.read_bytes()
        cert_pem = certificate_path.read_bytes() if certificate_path else None
    except OSError as exc:
        raise FatalConfiguration(f"cannot read key or certificate file: {exc}") from None
    return load_pem(key_pem, cert_pem)


def load_pkcs12(path: Path, password: str | None) -> SigningMaterial:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise FatalConfiguration(f"cannot read PKCS#12 file: {exc}") from None
    try:
        key, certificate, _ = pkcs12.load_key_and_certificates(
            data, password.encode() if password else None
        )
    except (ValueError, TypeError):
        raise FatalConfiguration(
            f"{path.name}: unreadable PKCS#12 bundle (wrong password?)"
        ) from None
    if key is None:
        raise FatalConfiguration(f"{path.name}: the PKCS#12 bundle holds no private key")
    return _check_pair(SigningMaterial(_rsa_key(key, path.name), certificate), path.name)


def load_signing_material(config: DimonaRestConfig) -> SigningMaterial:
    """The signing key named by the configuration (exactly one source must be given)."""
    if config.pkcs12_path is not None:
        password = config.pkcs12_password.get_secret_value() if config.pkcs12_password else None
        return load_pkcs12(config.pkcs12_path, password)
    if config.private_key_pem is not None:
        cert = config.certificate_path.read_bytes() if config.certificate_path else None
        return load_pem(config.private_key_pem.get_secret_value().encode(), cert)
    if config.private_key_path is not None:
        return load_pem_files(config.private_key_path, config.certificate_path)
    raise FatalConfiguration(
        "no Dimona REST credentials: set a private key (PEM path or inline) or a PKCS#12 bundle"
    )
