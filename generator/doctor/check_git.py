"""git.ignored and git.history: the .env files (and so the secret) stay out of git."""

from __future__ import annotations

from generator.doctor.facts import Facts
from generator.doctor.model import Check, failed, passed, skipped


def check_ignored(facts: Facts) -> Check:
    git = facts.git
    if not git.available:
        return skipped("git.ignored", f"{git.reason}: .gitignore not checked")
    if git.tracked:
        paths = ", ".join(git.tracked)
        return failed(
            "git.ignored",
            f"{paths} tracked by git: the secret is committed",
            f"git rm --cached {git.tracked[0]}, commit, add .env to .gitignore and rotate the secret",
        )
    if git.not_ignored:
        return failed(
            "git.ignored",
            f"{', '.join(git.not_ignored)} not git-ignored: one `git add .` commits the secret",
            "add a line `.env` to .gitignore",
        )
    return passed("git.ignored", "the .env files are git-ignored and not tracked")


def check_history(facts: Facts) -> Check:
    git = facts.git
    if not git.available:
        return skipped("git.history", f"{git.reason}: history not checked")
    if git.committed:
        shown = ", ".join(f"{path} (added in {commit})" for path, commit in git.committed[:3])
        first = git.committed[0][0]
        return failed(
            "git.history",
            f"{shown} in git history: anyone with the repository has that secret, even if the file was deleted",
            f"rotate BETTER_AUTH_SECRET in both .env files; purge with `git filter-repo --invert-paths --path {first}`",
        )
    return passed("git.history", "no .env file was ever committed (all branches, tags and stashes)")
