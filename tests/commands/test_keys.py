"""``dimona-adapter keys create``: refuses to replace a key unless ``--force`` (exit 2)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from adapter.cli import main

CLIENT = "self_service_chaman_5"


def test_second_create_is_refused_then_forced(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = tmp_path / "keys"
    create = ["keys", "create", "--client-id", CLIENT, "--dir", str(directory)]
    assert main(create) == 0
    out = capsys.readouterr().out
    assert "(mode 0600)" in out
    assert "(mode 0644)" in out
    key = directory / f"{CLIENT}.key.pem"
    before = key.read_bytes()

    assert main(create) == 2
    refused = capsys.readouterr()
    assert "refusing to overwrite" in refused.err
    assert "--force" in refused.err
    assert refused.out == ""
    assert key.read_bytes() == before

    assert main([*create, "--force"]) == 0
    assert key.read_bytes() != before
    assert stat.S_IMODE(key.stat().st_mode) == 0o600


def test_a_planted_link_is_reported_and_left_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    victim = tmp_path / "victim"
    victim.write_text("precious\n")
    directory = tmp_path / "keys"
    directory.mkdir()
    (directory / f"{CLIENT}.key.pem").symlink_to(victim)
    assert main(["keys", "create", "--client-id", CLIENT, "--dir", str(directory)]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert victim.read_text() == "precious\n"
