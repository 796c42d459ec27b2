"""The generated README's screenshots: every image it shows is in the project, a small PNG, and
one the project's own browser test takes (so the refresh command in the README works).

They live in template/{% if frontend %}docs{% endif %}/screenshots/ (projects without a frontend
get none) and are taken by frontend/e2e/browser*.test.mjs, whose shot() saves each state as
NAME-1280.png and NAME-390.png, plus NAME-1280-dark.png and NAME-390-dark.png with dark: true.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path

from conftest import generate

IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)\s]+)\)|<img\b[^>]*\bsrc=\"([^\"]+)\"")
SHOT = re.compile(r"\bshot\(\w+, \"([a-z0-9-]+)\"(.*?)\);", re.S)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _images(readme: str) -> list[tuple[str, str]]:
    """(alt text, path) of each image the README shows."""
    return [(m[1] or "", m[2] or m[3]) for m in IMAGE.finditer(readme)]


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == PNG_SIGNATURE, "not a PNG"
    assert data[12:16] == b"IHDR", "a PNG without its header chunk first"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _shot_names(frontend: Path) -> set[str]:
    """The file names (without .png) the browser tests save."""
    names: set[str] = set()
    for test in (frontend / "e2e").glob("browser*.test.mjs"):
        for name, options in SHOT.findall(test.read_text()):
            widths = re.findall(r"width: (\d+)", options) if "widths:" in options else ["1280", "390"]
            schemes = ["", "-dark"] if "dark: true" in options else [""]
            names |= {f"{name}-{width}{scheme}" for width in widths for scheme in schemes}
    return names


def test_every_readme_image_is_a_small_png_in_the_project(default_project: Path) -> None:
    readme = (default_project / "README.md").read_text()
    images = _images(readme)
    assert len(images) >= 4, images
    total = 0
    for alt, ref in images:
        assert alt.strip(), f"{ref}: no alt text"
        assert not re.match(r"^[a-z]+:|^/", ref), f"{ref}: must be a path inside the project"
        path = (default_project / ref).resolve()
        assert path.is_relative_to(default_project.resolve()), ref
        assert path.is_file(), f"the README shows {ref}, which the project does not have"
        data = path.read_bytes()
        width, height = _png_size(data)
        assert width in (390, 1280), f"{ref}: {width} px wide (the browser test's widths are 1280 and 390)"
        assert 400 <= height <= 2500, f"{ref}: {width}x{height}"
        assert 2_000 <= len(data) <= 150_000, f"{ref}: {len(data)} bytes (pngquant, see the README)"
        total += len(data)
    assert total <= 400_000, f"the screenshots weigh {total} bytes in every generated project"
    shipped = sorted(
        p.relative_to(default_project).as_posix() for p in (default_project / "docs/screenshots").iterdir()
    )
    assert shipped == sorted(ref for _, ref in images), "a screenshot the README does not show is dead weight"


def test_the_browser_test_takes_every_readme_screenshot(default_project: Path) -> None:
    """The README's refresh command copies files the browser test writes: exactly the ones shown."""
    readme = (default_project / "README.md").read_text()
    shown = {Path(ref).stem for _, ref in _images(readme)}
    taken = _shot_names(default_project / "frontend")
    assert len(taken) >= 20, sorted(taken)  # each state at both widths
    assert shown <= taken, f"not taken by the browser test: {sorted(shown - taken)}"
    copy = re.search(r"^cp /tmp/shots/\{([^}]+)\}\.png \.\./docs/screenshots/$", readme, re.M)
    assert copy, "the README does not say how to refresh the screenshots"
    assert set(copy[1].split(",")) == shown
    assert "E2E_ARTIFACTS_DIR=/tmp/shots npm run test:e2e" in readme


def test_a_project_without_frontend_has_no_screenshots(tmp_path: Path) -> None:
    project = generate(tmp_path / "api", "auth_mode=jwks", "frontend=false")
    assert not (project / "docs").exists()
    assert _images((project / "README.md").read_text()) == []
