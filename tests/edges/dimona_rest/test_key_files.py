"""``create_key_pair`` on a hostile file system: existing files, planted links, umask 000."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapter.edges.dimona_rest.errors import KeyFilesExist
from adapter.edges.dimona_rest.keys import (
    KeyPairPaths,
    create_key_pair,
    load_pem_files,
    write_pkcs12,
)

CLIENT = "self_service_chaman_7"
KEY_NAME = f"{CLIENT}.key.pem"
CERT_NAME = f"{CLIENT}.crt.pem"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


@pytest.fixture
def umask_000() -> Iterator[None]:
    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


@pytest.mark.usefixtures("umask_000")
def test_modes_are_set_whatever_the_umask(tmp_path: Path) -> None:
    directory = tmp_path / "new" / "keys"
    paths = create_key_pair(directory, CLIENT)
    assert _mode(tmp_path / "new") == 0o700
    assert _mode(directory) == 0o700
    assert _mode(paths.private_key) == 0o600
    assert _mode(paths.certificate) == 0o644
    pkcs12 = write_pkcs12(paths, directory / "bundle.p12", None)
    assert _mode(pkcs12) == 0o600


def test_an_existing_directory_keeps_its_mode(tmp_path: Path) -> None:
    tmp_path.chmod(0o750)
    create_key_pair(tmp_path, CLIENT)
    assert _mode(tmp_path) == 0o750


def test_an_existing_key_is_never_overwritten_without_being_asked(tmp_path: Path) -> None:
    first = create_key_pair(tmp_path, CLIENT)
    key_before = first.private_key.read_bytes()
    cert_before = first.certificate.read_bytes()
    with pytest.raises(KeyFilesExist, match="refusing to overwrite") as refused:
        create_key_pair(tmp_path, CLIENT)
    assert set(refused.value.paths) == {first.private_key, first.certificate}
    assert first.private_key.read_bytes() == key_before
    assert first.certificate.read_bytes() == cert_before
    # only the certificate there: still refused, and no key written next to it
    first.private_key.unlink()
    with pytest.raises(KeyFilesExist):
        create_key_pair(tmp_path, CLIENT)
    assert not first.private_key.exists()

    second = create_key_pair(tmp_path, CLIENT, overwrite=True)
    assert second.certificate.read_bytes() != cert_before
    assert load_pem_files(second.private_key, second.certificate).certificate is not None
    assert _mode(second.private_key) == 0o600
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("dangling", [False, True], ids=["to-a-file", "dangling"])
def test_a_planted_link_is_never_followed(tmp_path: Path, dangling: bool) -> None:
    directory = tmp_path / "keys"
    directory.mkdir()
    victim = tmp_path / "victim.txt"
    if not dangling:
        victim.write_text("precious\n")
    (directory / KEY_NAME).symlink_to(victim)
    (directory / CERT_NAME).symlink_to(tmp_path / "elsewhere.pem")

    with pytest.raises(KeyFilesExist, match="symbolic link"):
        create_key_pair(directory, CLIENT)
    assert (directory / KEY_NAME).is_symlink()

    paths = create_key_pair(directory, CLIENT, overwrite=True)
    if dangling:
        assert not victim.exists()
    else:
        assert victim.read_text() == "precious\n"  # the target kept its content
    assert not (tmp_path / "elsewhere.pem").exists()
    for path in (paths.private_key, paths.certificate):
        assert not path.is_symlink()
        assert stat.S_ISREG(path.lstat().st_mode)
    assert _mode(paths.private_key) == 0o600
    assert _leftovers(directory) == []


def test_the_write_itself_refuses_a_link_planted_after_the_check(tmp_path: Path) -> None:
    """The name is taken only by linking the finished file to it, so a link planted after
    ``create_key_pair`` looked makes the write fail instead of being followed."""
    from adapter.edges.dimona_rest.keys import _write_file

    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (tmp_path / KEY_NAME).symlink_to(victim)
    with pytest.raises(KeyFilesExist):
        _write_file(tmp_path / KEY_NAME, b"private key", 0o600, overwrite=False)
    assert victim.read_text() == "precious\n"
    assert _leftovers(tmp_path) == []


def test_key_pair_paths_are_returned_as_written(tmp_path: Path) -> None:
    paths = create_key_pair(tmp_path, CLIENT)
    assert paths == KeyPairPaths(tmp_path / KEY_NAME, tmp_path / CERT_NAME)
