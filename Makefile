# Anchor Studio. `make run` starts the studio, `make test` runs every test; both set up a fresh machine first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO   := --catalog resources/catalog/demo.json --pin TEA-LJ-250 --countdown 05:00 --coupon "SAVE10" --chat-overlay --feed demo

.PHONY: setup system-deps run live test bench soak faults bundle clean

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test,rooms]"
	$(PY) -m studio.ui.i18n.build
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

# The desktop studio. On a Linux box without a display, a headless demo show recorded to out/ instead.
run: setup
	@if [ "$$(uname)" = Linux ] && [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "No display here: running a 30 s headless demo show to out/demo.mkv (make live). On a desktop, make run opens the studio."; \
	  $(MAKE) --no-print-directory live; \
	else $(PY) -m studio; fi

live: setup
	@mkdir -p out && rm -f out/demo.mkv out/demo-session.sqlite out/demo-session.sqlite-* out/demo-session.sqlite.lock
	$(PY) -m studio live $(DEMO) --record out/demo.mkv --session-log out/demo-session.sqlite --duration 30

# Code health first (docs/architecture.md, STYLE.md 1 and 8): lint, types, layering; each one fails the target.
test: setup
	$(PY) -m ruff check studio tests
	$(PY) -m mypy studio
	$(VENV)/bin/lint-imports
	$(PY) -m pytest -q

bench: setup
	$(PY) -m studio bench

soak: setup
	$(PY) -m studio soak

faults: setup
	$(PY) -m studio faults --long

bundle: setup
	$(PY) -m pip install -q --disable-pip-version-check "pyinstaller>=6,<7"
	$(PY) -m PyInstaller installers/anchor_studio.spec --noconfirm --distpath dist --workpath build

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache .import_linter_cache out
