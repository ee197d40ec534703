"""The exit codes the docs state are the ones the commands return (README is the reference)."""

from __future__ import annotations

import re
from pathlib import Path

from adapter.commands import config_check, consult, keys, run, translate

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted((ROOT / "docs").glob("*.md"))


def _readme_codes() -> dict[int, str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    line = " ".join(text.split("Exit codes:", 1)[1].split("\n\n", 1)[0].split())
    return {int(code): meaning.strip() for code, meaning in re.findall(r"(\d+) ([^,.]+)", line)}


def test_the_commands_return_the_codes_the_readme_names() -> None:
    codes = _readme_codes()
    assert "dead-letter circuit breaker" in codes[run.EXIT_DEAD_LETTER_BREAKER]
    assert "ONSS unavailable" in codes[consult.ONSS_DOWN]
    assert "configuration" in codes[config_check.CONFIG_INVALID]
    assert "usage" in codes[keys.EXIT_FILES_EXIST]  # refusing to overwrite without --force
    assert "unreadable input" in codes[translate.UNREADABLE]


def test_every_doc_gives_the_breaker_its_code() -> None:
    stated: list[tuple[str, int]] = []
    for doc in DOCS:
        text = " ".join(doc.read_text(encoding="utf-8").split())
        for sentence in re.split(r"(?<=[.|])\s", text):
            if "breaker" not in sentence:
                continue
            for code in re.findall(r"\bexit(?:s| code| with code)? (\d+)", sentence):
                stated.append((doc.name, int(code)))
    assert stated, "no doc states the breaker's exit code"
    assert {code for _, code in stated} == {run.EXIT_DEAD_LETTER_BREAKER}, stated
