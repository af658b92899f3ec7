# Every target builds .venv from requirements.txt first when it is missing or out of date.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PLAYWRIGHT := playwright>=1.40
# Maintainer tooling, like Playwright: installed into .venv by `make lint`, never a student's need.
RUFF := ruff>=0.8
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Progress bars are for people; stored outputs and nbval comparisons must not contain them.
QUIET_BARS := TQDM_DISABLE=1
# A recipe line that sets variables runs in a shell, and SIGTERM to make (a time limit) reaches
# only that shell: `exec` lets the command take its place, so the signal reaches the command,
# which stops its kernels and servers (tools/processes.py).

.PHONY: lab run student test lint load-test bench badges e2e data site site-test \
	colab-versions clean-venv help

help:
	@echo "make lab     JupyterLab on the student edition, student/ (kernel from .venv)"
	@echo "make test    unit tests + every notebook executed and compared under nbval"
	@echo "make lint    ruff check and ruff format --check: Python files and notebooks"
	@echo "make data    check that MNIST can be found (MNIST_ROOT or data/)"
	@echo "make slow-test  the tests that run notebooks again (student edition, Colab install, ...)"
	@echo "make load-test  the notebooks with timing claims, run beside two busy processes"
	@echo "make run     re-execute every notebook in place (outputs, figures/), then make student"
	@echo "make student rebuild the student edition, student/, and lessons/ from notebooks/ (never over a"
	@echo "             student's work: it refuses and names the notebooks; FORCE=1 overrides)"
	@echo "make e2e     every student notebook run through JupyterLab in headless Chromium"
	@echo "make site    the course website in build/site/, from the stored outputs (own venv)"
	@echo "make site-test  every page of the site opened offline in headless Chromium"
	@echo "make badges  rewrite every Colab badge and install line from pyproject.toml's Repository"
	@echo "make bench   the lecture's performance claims and the notebooks' cost (< 10 min; FULL=1: 30+ min)"
	@echo "make colab-versions  every notebook on Colab's versions (tests/colab/, several GB)"

$(STAMP): requirements.txt pyproject.toml tools/configure_venv.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
		"Python >= 3.10 is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.12 ...")'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "$(PYTHON) cannot create virtual \
		environments: install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	@# Linux without an NVIDIA GPU: CPU-only torch when PyTorch's index answers (tools/torch_index.py).
	@index="$$($(BIN)/python -m tools.torch_index)"; \
	if [ -n "$$index" ]; then \
		$(BIN)/python -m pip install torch torchvision --index-url "$$index" \
		|| echo "CPU-only torch could not be installed: falling back to the default build"; \
	fi
	$(BIN)/python -m pip install -r requirements.txt
	$(BIN)/python -m tools.configure_venv
	touch $(STAMP)

# Jupyter refuses to run as root without --allow-root (containers, CI); students never need it.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)

# The stored outputs were made by this project: trusting them lets JupyterLab show them as they are.
lab: $(STAMP)
	@$(BIN)/jupyter trust student/*.ipynb notebooks/*.ipynb >/dev/null
	$(BIN)/jupyter lab $(ALLOW_ROOT) student/

# Nothing overwrites a student's work in student/: these targets refuse, naming the notebooks,
# unless FORCE=1 (tools/editions.py). `make run` asks first, before minutes of running.
FORCE_FLAG = $(if $(FORCE),--force)

run: $(STAMP)
	@$(BIN)/python -m tools.student_edition --refuse-if-edited --command "make run" $(FORCE_FLAG)
	$(QUIET_BARS) exec $(BIN)/python -m tools.run_notebooks
	$(BIN)/python -m tools.student_edition --command "make run" $(FORCE_FLAG)
	$(BIN)/python -m tools.lesson_modules

# The student edition and lessons/ (the code cells tagged `export`, for the seed study and the
# benchmarks) are both generated from notebooks/.
student: $(STAMP)
	$(BIN)/python -m tools.student_edition $(FORCE_FLAG)
	$(BIN)/python -m tools.lesson_modules

data: $(STAMP)
	$(BIN)/python -m helpers.data

# Each notebook runs once, under nbval, first, in two lanes side by side (notebook 05 in one,
# the others in the other: tools/run_tests.py); the tests after them read what those runs logged
# (the answers the reference solutions got accepted). Figures go to a throw-away folder:
# running the tests never changes figures/.
test: $(STAMP)
	$(QUIET_BARS) FIGURES_DIR=$$(mktemp -d) ACCEPTED_ANSWERS_LOG=$$(mktemp) exec $(BIN)/python \
		-m tools.run_tests notebooks --alone notebooks/05_mnist_models.ipynb \
		--nbval-options="$(NBVAL)" -- \
		tests --ignore=tests/e2e --ignore=tests/site --ignore=tests/load -m "not slow"

# What runs notebooks again beyond make test's one run of each: the student edition with the
# solutions after it, a simulated Colab install, notebook 05 on a full-size split, the
# benchmark's quick run, a student's path in a copy of the repository. CI runs it after make test.
slow-test: $(STAMP)
	$(QUIET_BARS) FIGURES_DIR=$$(mktemp -d) exec $(BIN)/python -m pytest tests -m slow \
		--ignore=tests/e2e --ignore=tests/site --ignore=tests/load -p no:cacheprovider

# pyproject.toml configures ruff; `ruff format --check` covers the notebooks too (extend-include).
# Fix with `.venv/bin/ruff format <files>` and `.venv/bin/ruff check --fix <files>`.
lint: $(STAMP)
	@$(BIN)/python -c "import ruff" 2>/dev/null || $(BIN)/python -m pip install "$(RUFF)"
	@# Both run, so one pass shows every finding; either failing fails the target.
	@status=0; \
	$(BIN)/python -m ruff check . || status=1; \
	$(BIN)/python -m ruff format --check . || status=1; \
	exit $$status

# The notebooks that assert something about time, run beside two CPU-bound processes (a busy
# laptop): every cell must still pass. A minute or two; CI runs it after make test.
load-test: $(STAMP)
	$(QUIET_BARS) FIGURES_DIR=$$(mktemp -d) exec $(BIN)/python -m pytest tests/load \
		-p no:cacheprovider -s

# JupyterLab in headless Chromium. Chromium comes from the system (Debian: apt-get install
# chromium); Playwright is installed into .venv here, and never downloads a browser.
e2e: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { echo "make e2e needs Chromium at /usr/bin/chromium \
		(Debian/Ubuntu: sudo apt-get install chromium)"; exit 1; }
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install "$(PLAYWRIGHT)"
	$(BIN)/python -m pytest tests/e2e -p no:cacheprovider

# The course website: its own environment (requirements-site.txt), never the student's .venv.
SITE_VENV := .venv-site
SITE_STAMP := $(SITE_VENV)/.installed

$(SITE_STAMP): requirements-site.txt
	$(PYTHON) -m venv $(SITE_VENV)
	$(SITE_VENV)/bin/python -m pip install -r requirements-site.txt
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(SITE_VENV)/bin/python -m tools.build_site --check-workflow

site-test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { echo "make site-test needs Chromium at \
		/usr/bin/chromium (Debian/Ubuntu: sudo apt-get install chromium)"; exit 1; }
	@test -f build/site/index.html || { echo "build the site first: make site"; exit 1; }
	@$(BIN)/python -c "import playwright" 2>/dev/null || $(BIN)/python -m pip install "$(PLAYWRIGHT)"
	$(BIN)/python -m pytest tests/site -p no:cacheprovider -s

# Both editions on Colab's versions (tests/colab/constraints.txt), in build/colab-versions/.
# PyPI's torch brings several GB of CUDA libraries: never part of make test or .ci/run.
# COLAB_PYTHON=python3.13, where there is one, is closer still to Colab.
COLAB_PYTHON ?= $(PYTHON)

colab-versions: $(STAMP)
	PYTHONPATH=tests exec $(BIN)/python -m colab.versions --python $(COLAB_PYTHON)

bench: $(STAMP)
	$(QUIET_BARS) exec $(BIN)/python benchmarks/run.py $(if $(FULL),--full) --json benchmarks/latest.json

badges: $(STAMP)
	@$(BIN)/python -m tools.student_edition --refuse-if-edited --command "make badges" $(FORCE_FLAG)
	$(BIN)/python -m tools.badges
	$(BIN)/python -m tools.student_edition --command "make badges" $(FORCE_FLAG)

clean-venv:
	rm -rf $(VENV)
