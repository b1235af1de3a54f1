#!/usr/bin/env bash
# Regenerate the single initial migration from the models (allowed until the first
# release; afterwards every schema change is a new migration: `make migration m=slug`).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
rm -f src/brigade/migrations/versions/*_initial.py
.venv/bin/python - "$tmp" <<'PY'
import sys
from alembic import command
from brigade.infra.migrate import alembic_config
cfg = alembic_config(f"sqlite+aiosqlite:///{sys.argv[1]}/gen.db")
command.revision(cfg, message="initial", autogenerate=True, rev_id="0001")
PY
for f in src/brigade/migrations/versions/*_initial.py; do
  mv "$f" src/brigade/migrations/versions/2026-11-21-1200_initial.py 2>/dev/null || true
done
rm -rf "$tmp"
.venv/bin/ruff format -q src/brigade/migrations/versions/ || true
.venv/bin/ruff check -q --fix src/brigade/migrations/versions/ || true
echo "regenerated src/brigade/migrations/versions/2026-11-21-1200_initial.py"
