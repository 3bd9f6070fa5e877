"""The .env file: read strictly, one line per problem, never a secret in the message."""

from __future__ import annotations

from pathlib import Path

import pytest

from config import ConfigError, load_settings
from config.env_file import read_env_file


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / ".env"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def test_values_are_read_and_interpolated_like_python_dotenv(tmp_path: Path) -> None:
    path = write(tmp_path, 'A=1\nB=${A}2\n# a comment\n\nexport C="x y"\nEMPTY\n')
    assert read_env_file(path) == ({"A": "1", "B": "12", "C": "x y"}, [])
    assert read_env_file(tmp_path / "absent.env") == ({}, [])


def test_a_line_that_does_not_parse_is_a_problem_naming_only_its_first_word(
    tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, 'WOO_URL https://shop.example\nWOO_CONSUMER_SECRET="cs_s3cret\n')
    values, problems = read_env_file(path)
    assert values == {}
    assert problems == [
        f"{path} line 1: cannot read 'WOO_URL'… (expected NAME=value)",
        f"{path} line 2: cannot read 'WOO_CONSUMER_SECRET'… (expected NAME=value)",
    ]
    assert "cs_s3cret" not in "".join(problems)
    assert capfd.readouterr().err == ""  # python-dotenv's own warning is not printed as well


def test_a_file_that_is_not_utf8_is_one_problem(tmp_path: Path) -> None:
    path = write(tmp_path, b"\xff\xfeWOO_URL=x\n")
    assert read_env_file(path) == ({}, [f"{path}: not UTF-8 text (save the .env file as UTF-8)"])


def test_settings_report_the_env_file_problems_with_the_others(tmp_path: Path) -> None:
    path = write(tmp_path, "ASSIST_TIMEZONE Europe/Paris\nASSIST_ROUNDING_MINUTES=0\n")
    with pytest.raises(ConfigError) as caught:
        load_settings({}, path)
    assert caught.value.problems == (
        f"{path} line 1: cannot read 'ASSIST_TIMEZONE'… (expected NAME=value)",
        "ASSIST_ROUNDING_MINUTES='0' is not valid: expected a whole number ≥ 1",
    )
