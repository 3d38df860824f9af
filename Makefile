# Anchor Studio. `make run` starts the studio, `make test` runs every test; both set up a fresh machine first.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: setup system-deps run live test bench soak clean

setup: system-deps $(STAMP)

system-deps:
	@bash scripts/system-deps.sh

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e ".[test]"
	@rm -f $(VENV)/.installed-*; touch $(STAMP)

run: setup
	$(PY) -m studio

test: setup
	$(PY) -m pytest -q

bench: setup
	$(PY) -m studio bench

soak: setup
	$(PY) -m studio soak

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
