"""project_slug's default: a project name becomes a machine name, letters with accents included.

The rule is Jinja (includes/macros.jinja) because plain `copier copy` must follow it too. Its
letter table is checked here against Python's Unicode data, and the default expression is
evaluated exactly as copier.yml writes it, in an environment built like Copier's.
"""

from __future__ import annotations

import unicodedata

import pytest
import yaml
from jinja2 import FileSystemLoader
from jinja2.sandbox import SandboxedEnvironment

from conftest import REPO, generate

# Letters that Unicode does not decompose into an ASCII letter plus marks.
NOT_DECOMPOSED = {"ß": "ss", "æ": "ae", "ø": "o", "œ": "oe", "ð": "d", "þ": "th", "ł": "l", "đ": "d", "ħ": "h"}


def _env() -> SandboxedEnvironment:
    return SandboxedEnvironment(
        loader=FileSystemLoader(REPO), extensions=["jinja2_ansible_filters.AnsibleCoreFiltersExtension"]
    )


def slug_of(name: str) -> str:
    default = yaml.safe_load((REPO / "copier.yml").read_text())["project_slug"]["default"]
    return _env().from_string(default).render(project_name=name)


def test_every_latin_letter_with_a_diacritic_has_its_ascii_letters() -> None:
    letters = _env().get_template("includes/macros.jinja").module.ASCII_LETTERS
    for code in range(0xC0, 0x250):
        letter = chr(code)
        if not letter.isalpha() or letter != letter.lower():
            continue
        decomposed = "".join(c for c in unicodedata.normalize("NFKD", letter) if c.isascii())
        expected = NOT_DECOMPOSED.get(letter, decomposed)
        if expected:
            assert letters.get(letter) == expected, f"{letter} (U+{code:04X})"
    for letter, ascii_letters in letters.items():
        assert ascii_letters.isascii() and (ascii_letters.isalpha() or letter == "\u0307"), letter


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Über Tasks", "uber-tasks"),
        ("My Tasks", "my-tasks"),
        ("Crème brûlée Board", "creme-brulee-board"),
        ("Straße & Ærø", "strasse-aero"),
        ("İstanbul Ağı", "istanbul-agi"),  # lower() leaves a combining dot after İ
        ("Łódź Tasks", "lodz-tasks"),
        ("123 Go!", "go"),  # a slug starts with a letter
        ("日本語 app", "app"),  # scripts with no agreed Latin spelling are dropped, not guessed
        ("Ñ" * 60, "n" * 50),
        ("a" * 49 + " b", "a" * 49),  # cut at 50, no trailing dash
    ],
)
def test_slug_default(name: str, slug: str) -> None:
    assert slug_of(name) == slug


def test_a_name_with_accents_gives_a_readable_slug_in_a_generated_project(tmp_path) -> None:
    project = generate(tmp_path / "uber", "project_name=Über Tasks", "frontend=false")
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    assert answers["project_slug"] == "uber-tasks"
    assert "uber-tasks" in (project / "backend/pyproject.toml").read_text()
