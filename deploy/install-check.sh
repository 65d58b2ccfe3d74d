#!/bin/sh
# The project installed the way deploy/Dockerfile installs it (a venv, then `pip install .`),
# into a throwaway folder, and the installed command used from outside the source tree: so
# the migrations, the sample plan and every module are really in what ships.
set -eu
python="${PYTHON:-python3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
venv="$work/.venv"

"$python" -m venv "$venv"
"$venv/bin/pip" install --quiet .

cd "$work"
export DATABASE_URL="sqlite:///$work/check.db"
"$venv/bin/nhacviec" db upgrade
sample="$("$venv/bin/python" -c 'from plans.samples import DEFAULT_SAMPLE; print(DEFAULT_SAMPLE)')"
case "$sample" in
    "$work"/*) ;;
    *) echo "install-check: the sample plan is not in the installed package: $sample" >&2; exit 1 ;;
esac
"$venv/bin/nhacviec" plan import "$sample" > /dev/null
"$venv/bin/nhacviec" backup "$work/check.zip"
DATABASE_URL="sqlite:///$work/restored.db" "$venv/bin/nhacviec" restore "$work/check.zip"
"$venv/bin/python" -c 'import bot.healthcheck, bot.metrics, bot.logs, storage.backup'
echo "install-check: the installed package migrates, imports a plan, backs up and restores"
