"""Answers given on the command line: --data KEY=VALUE pairs and --data-file YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from generator.errors import BafaError, first_line
from generator.template_source import template_root


def _questions(root: Path | None = None) -> dict[str, dict[str, Any]]:
    """The template's questions, in copier.yml order (settings start with '_')."""
    config = yaml.safe_load((root or template_root()).joinpath("copier.yml").read_text())
    return {key: spec for key, spec in config.items() if not key.startswith("_")}


def parse_data_pairs(pairs: list[str]) -> dict[str, str]:
    """Turn ["key=value", ...] into a dict; Copier casts each value to its question's type."""
    data: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise BafaError(f"--data expects KEY=VALUE, got {pair!r}")
        data[key] = value
    return data


def read_yaml(path: Path, label: str) -> Any:
    """Parse a YAML file; a missing, unreadable or malformed file is a one-line BafaError."""
    try:
        return yaml.safe_load(path.read_text())
    except FileNotFoundError:
        raise BafaError(f"{label} {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BafaError(f"{label} {path} cannot be read: {exc}") from None
    except yaml.YAMLError as exc:
        raise BafaError(f"{label} {path} is not valid YAML: {first_line(exc)}") from None


def load_data_file(path: Path) -> dict[str, Any]:
    """Read answers from a YAML mapping file."""
    content = read_yaml(path, "--data-file")
    if content is None:
        return {}
    if not isinstance(content, dict) or not all(isinstance(k, str) for k in content):
        raise BafaError(f"--data-file {path} must hold a YAML mapping of question: answer")
    return content


def collect_answers(pairs: list[str], data_file: Path | None) -> dict[str, Any]:
    """Merge the data file and --data pairs (pairs win) and reject unknown question names."""
    answers: dict[str, Any] = load_data_file(data_file) if data_file else {}
    answers.update(parse_data_pairs(pairs))
    questions = _questions()
    known = list(questions)
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise BafaError(f"unknown question {', '.join(unknown)}; known questions: {', '.join(known)}")
    for name, value in answers.items():
        _check_type(name, questions[name].get("type", "str"), value)
    return answers


_KIND_WORDS = {"str": "text", "int": "a whole number", "float": "a number", "bool": "true or false"}
_BOOL_WORDS = {"true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"}


def _check_type(name: str, kind: str, value: Any) -> None:
    """Give a clear message before Copier casts a string answer to its question's type.

    Copier validates the values themselves (ranges, choices, formats) afterwards.
    """
    if not isinstance(value, str):
        expected = {"str": str, "int": int, "float": float, "bool": bool}.get(kind)
        if expected is not None and not (isinstance(value, expected) or (kind == "float" and isinstance(value, int))):
            if not (kind == "str" and isinstance(value, int | float)):  # 42 is fine as a name
                raise BafaError(f"{name} must be {_KIND_WORDS[kind]}, got {type(value).__name__} {value!r}")
        return
    if kind == "int":
        try:
            int(value)
        except ValueError:
            raise BafaError(f"{name} must be a whole number, got {value!r}") from None
    elif kind == "bool" and value.strip().lower() not in _BOOL_WORDS:
        raise BafaError(f"{name} must be true or false, got {value!r}")
    elif kind in {"yaml", "json"}:
        try:
            yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise BafaError(f"{name} is not valid YAML: {first_line(exc)}") from None
