#!/usr/bin/env bash
# Tag every bafa release that has no tag in this clone. A release is the commit that sets a new
# `__version__` in generator/__init__.py; its tag is v<version>, which is what Copier reads as the
# template's version. A clone made without tags (`git clone --no-tags`, a mirror that copied
# branches only) gets them back; a tag found on another commit is an error, never moved.
set -euo pipefail
cd "$(dirname "$0")/.."

previous=""
for commit in $(git log --reverse --format=%H -- generator/__init__.py); do
  version=$(git show "$commit:generator/__init__.py" | sed -n 's/^__version__ = "\(.*\)"$/\1/p')
  if [ -z "$version" ] || [ "$version" = "$previous" ]; then
    continue
  fi
  previous=$version
  if tagged=$(git rev-parse -q --verify "refs/tags/v$version^{commit}"); then
    if [ "$tagged" != "$commit" ]; then
      echo "error: tag v$version is on ${tagged:0:7}, but ${commit:0:7} released $version (it set __version__)" >&2
      exit 1
    fi
  else
    git tag "v$version" "$commit"
    echo "tagged v$version on ${commit:0:7}"
  fi
done
