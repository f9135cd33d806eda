# Targets a newcomer can guess. Everything runs from the project's own virtualenv.
VENV   ?= .venv
PY     := $(VENV)/bin/python
PORT   ?= 8728
CLOCK  ?= real

.PHONY: setup test test-fast demo sim bench lint clean

$(VENV)/.installed: requirements.txt requirements-test.txt
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

setup: $(VENV)/.installed          ## create .venv with everything the program and the tests need

test: setup                         ## run every test layer against the simulator (no Pulumi CLI needed)
	@$(PY) -m pytest -q -p no:cacheprovider; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: that counts as a failure" >&2; fi; \
	exit $$status

test-fast: setup                    ## the units, the simulator and the providers: every layer but the end-to-end ones (-m 'not e2e')
	@$(PY) -m pytest -q -p no:cacheprovider -m 'not e2e'

demo: setup                         ## the dev stack on a simulated router: plan, up, a server failing and back, destroy
	$(PY) -m lab.demo

sim: setup                          ## a simulated router on 127.0.0.1:$(PORT) for `pulumi up --stack dev`; type `help` in it
	$(PY) -m simulator --port $(PORT) --state .sim-state.json --seed-defconf --clock $(CLOCK)

$(VENV)/.bench-installed: $(VENV)/.installed requirements-bench.txt
	$(PY) -m pip install --quiet -r requirements-bench.txt
	touch $@

bench: $(VENV)/.bench-installed     ## the load balancer against the simulator, Ansible and the lower bound
	$(PY) -m bench $(BENCH_ARGS)

lint: setup                         ## ruff over everything, mypy over the product code (pyproject.toml)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .sim-state*.json
