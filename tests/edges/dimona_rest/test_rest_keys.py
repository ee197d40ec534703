from __future__ import annotations

import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pydantic import SecretStr

from adapter.core.errors import FatalConfiguration
from adapter.edges.dimona_rest.config import DimonaRestConfig
from adapter.edges.dimona_rest.keys import (
    KeyPairPaths,
    create_key_pair,
    load_pem,
    load_pem_files,
    load_pkcs12,
    load_signing_material,
    write_pkcs12,
)


def test_create_key_pair_writes_a_private_key_only_the_owner_can_read(tmp_path: Path) -> None:
    paths = create_key_pair(tmp_path / "k", "self_service_chaman_9/x", common_name="ACME NV")
    assert stat.S_IMODE(paths.private_key.stat().st_mode) == 0o600
    assert paths.private_key.name == "self_service_chaman_9_x.key.pem"
    material = load_pem_files(paths.private_key, paths.certificate)
    assert material.private_key.key_size == 2048
    assert material.certificate is not None
    assert "CN=ACME NV" in material.certificate.subject.rfc4514_string()
    assert (material.certificate_pem() or "").startswith("-----BEGIN CERTIFICATE-----")


def test_pkcs12_with_and_without_password(tmp_path: Path, key_pair: KeyPairPaths) -> None:
    with_password = write_pkcs12(key_pair, tmp_path / "a.p12", "s3cret")
    without = write_pkcs12(key_pair, tmp_path / "b.p12", None)
    reference = load_pem_files(key_pair.private_key).private_key.private_numbers()
    assert load_pkcs12(with_password, "s3cret").private_key.private_numbers() == reference
    assert load_pkcs12(without, None).private_key.private_numbers() == reference
    with pytest.raises(FatalConfiguration, match="wrong password"):
        load_pkcs12(with_password, "wrong")


def test_load_signing_material_from_each_source(tmp_path: Path, key_pair: KeyPairPaths) -> None:
    p12 = write_pkcs12(key_pair, tmp_path / "c.p12", "pw")
    pem = key_pair.private_key.read_text()
    configs = [
        DimonaRestConfig(client_id="c", private_key_path=key_pair.private_key),
        DimonaRestConfig(client_id="c", private_key_pem=SecretStr(pem)),
        DimonaRestConfig(client_id="c", pkcs12_path=p12, pkcs12_password=SecretStr("pw")),
    ]
    numbers = {load_signing_material(c).private_key.private_numbers().d for c in configs}
    assert len(numbers) == 1
    with pytest.raises(FatalConfiguration, match="no Dimona REST credentials"):
        load_signing_material(DimonaRestConfig(client_id="c"))


def test_only_one_credential_source_is_allowed(key_pair: KeyPairPaths) -> None:
    with pytest.raises(ValueError, match="only one"):
        DimonaRestConfig(private_key_path=key_pair.private_key, private_key_pem=SecretStr("x"))


def test_mismatched_certificate_and_non_rsa_keys_are_refused(
    tmp_path: Path, key_pair: KeyPairPaths
) -> None:
    other = create_key_pair(tmp_path, "other")
    with pytest.raises(FatalConfiguration, match="does not match"):
        load_pem_files(key_pair.private_key, other.certificate)
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(FatalConfiguration, match="RSA"):
        load_pem(ec_pem)
    with pytest.raises(FatalConfiguration, match="unreadable PEM"):
        load_pem(b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n")
    with pytest.raises(FatalConfiguration, match="cannot read"):
        load_pem_files(tmp_path / "missing.pem")


def test_reprs_never_show_key_material(key_pair: KeyPairPaths) -> None:
    pem = key_pair.private_key.read_text()
    material = load_pem(pem.encode(), key_pair.certificate.read_bytes())
    config = DimonaRestConfig(
        client_id="c", private_key_pem=SecretStr(pem), certificate_path=key_pair.certificate
    )
    p12_config = DimonaRestConfig(
        client_id="c", pkcs12_path=Path("x.p12"), pkcs12_password=SecretStr("hunter2")
    )
    body = pem.splitlines()[1]
    for text in (
        repr(material),
        str(material),
        repr(config),
        str(config),
        repr(p12_config),
        config.model_dump_json(),
    ):
        assert body not in text
        assert "hunter2" not in text
        assert "PRIVATE KEY" not in text
    assert "<redacted>" in repr(material)
