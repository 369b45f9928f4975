# Leadgate: `make run` serves the demo, `make test` lints and tests.
# Needs only Python 3.11 and make; everything else goes into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
SITE_PORT ?= 8000

.PHONY: run test lint format clean translations weight bench

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

# Leadgate on PORT, and the sample customer site embedding it on SITE_PORT.
# Links in e-mails and the snippet are built on LEADS_BASE_URL: this server's.
run: export LEADS_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(VENV)/.installed-run
	$(BIN)/flask --app wsgi init-db
	$(BIN)/flask --app wsgi seed-demo
	$(BIN)/flask --app wsgi demo-traffic
	@echo "Leadgate:             http://127.0.0.1:$(PORT)"
	@echo "Sample customer site: http://localhost:$(SITE_PORT)"
	LEADGATE_URL=http://127.0.0.1:$(PORT) SAMPLE_SITE_REMEMBER=1 $(BIN)/flask --app sample_site run \
		--host 127.0.0.1 --port $(SITE_PORT) & site=$$!; \
	$(BIN)/flask --app wsgi worker & worker=$$!; \
	trap 'kill $$site $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/flask --app wsgi run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# pytest exits 5 when it collected no tests: that is a failure here too.
test: lint
	$(BIN)/python -m pytest; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests"; exit 1; fi; exit $$status

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# After changing visitor-facing text: refresh the catalogs, translate the new
# entries in capture/translations/nl/LC_MESSAGES/messages.po, then compile.
translations: $(VENV)/.installed-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output \
		--project=Leadgate -o capture/translations/messages.pot .
	$(BIN)/pybabel update -i capture/translations/messages.pot -d capture/translations \
		--no-fuzzy-matching --width 100
	$(BIN)/pybabel compile -d capture/translations

# What the widget loads, in gzipped bytes (the README quotes this).
weight: $(VENV)/.installed-dev
	$(BIN)/python bench/widget_weight.py

# Benchmarks: the sales list at 1,000,000 leads and the insights page at
# 1,000,000 leads with 3,000,000 submissions (each seeded once into
# bench/.data/), and the widget's weight. The README quotes them.
bench: $(VENV)/.installed-dev
	$(BIN)/python bench/sales_list.py
	$(BIN)/python bench/insights.py
	$(BIN)/python bench/widget_weight.py
	$(BIN)/python bench/intake_throughput.py
	$(BIN)/python bench/widget_tti.py

# Nothing is lost: 10,000 whole submissions by 32 visitors against gunicorn on
# SQLite, checked in the database (--db postgresql, --kill-worker, --outage:
# see bench/intake_load.py).
.PHONY: load
load: $(VENV)/.installed-dev
	$(BIN)/python bench/intake_load.py --db sqlite
