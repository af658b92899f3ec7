# Every target builds .venv from requirements.txt and requirements.lock first when it is missing
# or out of date (tools/install_env.py: the pinned versions, or no .venv and a clear message).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Maintainer tooling (ruff, Playwright): pyproject's `dev` extra, installed into .venv at the
# locked versions by the targets that need it, never a student's need.
DEV_TOOLS := $(BIN)/python -m pip install -q -e ".[dev]" -c requirements.lock
NBVAL := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
# Progress bars are for people; stored outputs and nbval comparisons must not contain them.
QUIET_BARS := TQDM_DISABLE=1
# A recipe line that sets variables runs in a shell, and SIGTERM to make (a time limit) reaches
# only that shell: `exec` lets the command take its place, so the signal reaches the command,
# which stops its kernels and servers (tools/processes.py).

.PHONY: lab run student test lint load-test bench badges e2e data site site-test \
	colab-versions lock clean-venv help grade personal edition handout

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
	@echo "make handout the whole course as one PDF, A4 and Letter, in build/handout/ (Chromium)"
	@echo "make badges  rewrite every Colab badge and install line from pyproject.toml's Repository"
	@echo "make grade SUBMISSIONS=folder OUT=folder [TIMEOUT=300] [PERSONAL=1] [SCHEDULER=tcp://host:port]"
	@echo "             grade a class, each notebook in a sandbox: grades.csv, summary.csv, feedback/"
	@echo "make edition OUT=folder [IDS=file] [EDITION=graded|practice]  what students are handed:"
	@echo "             the graded edition (no keys; for homework) or the practice edition, common"
	@echo "             or personal (IDS: one student id a line)"
	@echo "make personal IDS=file OUT=folder [EDITION=...]  the same as make edition with IDS"
	@echo "make bench   the lecture's performance claims and the notebooks' cost (< 10 min; FULL=1: 30+ min)"
	@echo "make colab-versions  every notebook on Colab's versions (tests/colab/, several GB)"
	@echo "make lock    requirements*.txt, environment.yml and requirements.lock from pyproject.toml"

$(STAMP): requirements.txt requirements.lock pyproject.toml tools/configure_venv.py \
		tools/install_env.py
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else \
		"Python >= 3.10 is needed, found " + sys.version.split()[0] + ": run make PYTHON=python3.12 ...")'
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { echo "$(PYTHON) cannot create virtual \
		environments: install the venv module (Debian/Ubuntu: sudo apt-get install python3-venv)"; exit 1; }
	$(PYTHON) -m tools.install_env $(VENV) -r requirements.txt
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

# One pytest session in two xdist workers (--dist loadgroup, tests/conftest.py): notebooks 01-04
# under nbval in one worker and notebook 05 in the other (the first two groups in collection
# order: --no-loadscope-reorder keeps that order), then every test module goes to whichever
# worker is free (a module stays whole on one worker, so its fixtures are made once); one worker
# on a one-core machine. The tests marked `after_notebooks` read what those runs logged (the
# answers the reference solutions got accepted; workers append to the log a line per write):
# tools/pytest_in_turn.py runs them next, even when a notebook failed. Figures go to a
# throw-away folder: running the tests never changes figures/. tests/conftest.py is loaded as a
# plugin (-p), so its hooks reach the notebooks' cells too; --noconftest keeps pytest from
# loading it a second time as the tests folder's conftest.
# tests/test_make_test.py runs this recipe on notebooks of its own (these variables).
TEST_NOTEBOOKS := notebooks
TEST_ALONE := notebooks/05_mnist_models.ipynb
UNIT_TESTS := tests --ignore=tests/e2e --ignore=tests/site --ignore=tests/load

test: $(STAMP)
	$(QUIET_BARS) FIGURES_DIR=$$(mktemp -d) ACCEPTED_ANSWERS_LOG=$$(mktemp) exec $(BIN)/python \
		-m tools.pytest_in_turn -p tests.conftest --noconftest -p no:cacheprovider $(NBVAL) \
		-n auto --maxprocesses 2 --dist loadgroup --no-loadscope-reorder --alone $(TEST_ALONE) \
		$(TEST_NOTEBOOKS) $(UNIT_TESTS) -m "not slow and not after_notebooks" \
		--then $(UNIT_TESTS) -m after_notebooks

# What runs notebooks again beyond make test's one run of each: the student edition with the
# solutions after it, a simulated Colab install, notebook 05 on a full-size split, the
# benchmark's quick run, a student's path in a copy of the repository, the grader's attack
# suite, personal editions and grading on a Dask cluster. CI runs it after make test.
slow-test: $(STAMP)
	@# tests/test_grading_dask.py starts a Dask cluster: pyproject's `cluster` extra.
	@$(BIN)/python -c "import distributed" 2>/dev/null || $(CLUSTER_TOOLS)
	@# In two xdist workers, one module per group (tests/conftest.py's --by-module), the longest
	@# first: the two CPU paths' notebook runs side by side, then the rest as workers free up.
	$(QUIET_BARS) FIGURES_DIR=$$(mktemp -d) exec $(BIN)/python -m pytest tests -m slow \
		--ignore=tests/e2e --ignore=tests/site --ignore=tests/load -p no:cacheprovider \
		-n auto --maxprocesses 2 --dist loadgroup --no-loadscope-reorder --by-module

# pyproject.toml configures ruff; `ruff format --check` covers the notebooks too (extend-include).
# Fix with `.venv/bin/ruff format <files>` and `.venv/bin/ruff check --fix <files>`.
lint: $(STAMP)
	@$(BIN)/python -c "import ruff" 2>/dev/null || $(DEV_TOOLS)
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
	@$(BIN)/python -c "import playwright, pypdf" 2>/dev/null || $(DEV_TOOLS)
	$(BIN)/python -m pytest tests/e2e -p no:cacheprovider

# The course website: its own environment (requirements-site.txt), never the student's .venv.
SITE_VENV := .venv-site
SITE_STAMP := $(SITE_VENV)/.installed

$(SITE_STAMP): requirements-site.txt requirements.lock tools/install_env.py
	$(PYTHON) -m tools.install_env $(SITE_VENV) -r requirements-site.txt --no-torch
	touch $(SITE_STAMP)

site: $(SITE_STAMP)
	$(SITE_VENV)/bin/python -m tools.build_site --check-workflow

# The handout: the site's sources as one page (Sphinx, .venv-site), printed by Chromium (.venv).
handout: $(SITE_STAMP) $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { echo "make handout needs Chromium at /usr/bin/chromium \
		(Debian/Ubuntu: sudo apt-get install chromium)"; exit 1; }
	@$(BIN)/python -c "import playwright, pypdf" 2>/dev/null || $(DEV_TOOLS)
	$(SITE_VENV)/bin/python -m tools.build_site --handout
	$(BIN)/python -m tools.handout

site-test: $(STAMP)
	@command -v chromium >/dev/null 2>&1 || { echo "make site-test needs Chromium at \
		/usr/bin/chromium (Debian/Ubuntu: sudo apt-get install chromium)"; exit 1; }
	@test -f build/site/index.html || { echo "build the site first: make site"; exit 1; }
	@$(BIN)/python -c "import playwright, pypdf, pypdfium2" 2>/dev/null || $(DEV_TOOLS)
	$(BIN)/python -m pytest tests/site -p no:cacheprovider -s

# Both editions on Colab's Python and versions (tests/colab/constraints.txt), each notebook through
# its own setup cell. The environment (several GB: torch from PyPI carries CUDA libraries where
# PyTorch's CPU index does not answer) is cached outside the checkout, in
# ~/.cache/beyond-least-squares/colab-versions (COLAB_VERSIONS_CACHE). Never part of make test;
# .ci/run runs it last. Python 3.13 is found on PATH or through pyenv; COLAB_PYTHON=path overrides.
colab-versions: $(STAMP)
	$(QUIET_BARS) PYTHONPATH=tests exec $(BIN)/python -m colab.versions $(if $(COLAB_PYTHON),--python $(COLAB_PYTHON))

# An instructor grades a class: SUBMISSIONS holds one folder per student (grading/). Each
# notebook runs in a bubblewrap sandbox; SCHEDULER sends the runs to a Dask cluster instead
# (pyproject's `cluster` extra, installed here at the locked version when it is missing).
CLUSTER_TOOLS := $(BIN)/python -m pip install -q -e ".[cluster]" -c requirements.lock

grade: $(STAMP)
	@test -n "$(SUBMISSIONS)" -a -n "$(OUT)" || { echo "usage: make grade SUBMISSIONS=folder" \
		"OUT=folder [TIMEOUT=CPU seconds per notebook] [JOBS=notebooks side by side]" \
		"[PERSONAL=1] [SCHEDULER=tcp://host:port]"; exit 2; }
	@$(if $(SCHEDULER),$(BIN)/python -c "import distributed" 2>/dev/null || $(CLUSTER_TOOLS),true)
	$(QUIET_BARS) exec $(BIN)/python -m grading "$(SUBMISSIONS)" "$(OUT)" \
		$(if $(TIMEOUT),--timeout $(TIMEOUT)) $(if $(JOBS),--jobs $(JOBS)) \
		$(if $(PERSONAL),--personal) $(if $(SCHEDULER),--scheduler "$(SCHEDULER)")

edition: $(STAMP)
	@test -n "$(OUT)" || { echo "usage: make edition OUT=folder [IDS=file-of-ids]" \
		"[EDITION=graded|practice]"; exit 2; }
	exec $(BIN)/python -m grading.editions "$(OUT)" $(if $(IDS),--ids "$(IDS)") \
		$(if $(EDITION),--edition $(EDITION))

personal: $(STAMP)
	@test -n "$(IDS)" -a -n "$(OUT)" || { echo "usage: make personal IDS=file-of-ids OUT=folder" \
		"[EDITION=graded|practice]"; exit 2; }
	exec $(BIN)/python -m grading.editions "$(OUT)" --ids "$(IDS)" $(if $(EDITION),--edition $(EDITION))

bench: $(STAMP)
	$(QUIET_BARS) exec $(BIN)/python benchmarks/run.py $(if $(FULL),--full) --json benchmarks/latest.json

badges: $(STAMP)
	@$(BIN)/python -m tools.student_edition --refuse-if-edited --command "make badges" $(FORCE_FLAG)
	$(BIN)/python -m tools.badges
	$(BIN)/python -m tools.student_edition --command "make badges" $(FORCE_FLAG)

# The one declared list of dependencies is pyproject.toml: this writes requirements.txt,
# requirements-site.txt and environment.yml from it, then pins every package for every platform
# and Python >= 3.10 in requirements.lock with uv (a resolver only: it reads the packages'
# metadata and downloads no torch). uv lives in build/lock-tools, never in .venv.
LOCK_TOOLS := build/lock-tools

lock:
	@test -x $(LOCK_TOOLS)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOLS) && \
		$(LOCK_TOOLS)/bin/python -m pip install -q "uv==0.13.9" "packaging>=23" "tomli>=2; python_version < '3.11'"; }
	$(LOCK_TOOLS)/bin/python -m tools.dependencies lock --uv $(LOCK_TOOLS)/bin/uv

clean-venv:
	rm -rf $(VENV)
