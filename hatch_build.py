"""Wheel build hook: pack the template's git history as generator/_template.bundle.

`bafa update` renders a project's old template version from this bundle, offline. Built
from the checkout's tags and branches; skipped (with a warning) outside a git checkout,
where the wheel can still generate projects but not update them.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class TemplateBundleHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        if not (root / ".git").exists() or shutil.which("git") is None:
            self.app.display_warning("no git checkout: the wheel will not carry the template history")
            return
        self._tmp = tempfile.mkdtemp(prefix="bafa-bundle-")
        bundle = Path(self._tmp) / "_template.bundle"
        subprocess.run(
            ["git", "bundle", "create", "--quiet", str(bundle), "HEAD", "--branches", "--tags"],
            cwd=root,
            check=True,
            capture_output=True,
        )
        build_data["force_include"][str(bundle)] = "generator/_template.bundle"

    def finalize(self, version: str, build_data: dict, artifact_path: str) -> None:
        if getattr(self, "_tmp", None):
            shutil.rmtree(self._tmp, ignore_errors=True)
