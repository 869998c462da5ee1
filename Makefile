# kafkastore: `make demo` runs the pipeline against embedded servers,
# `make test` runs every check CI runs.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
DATE    ?= $(shell date -u +%Y-%m-%dT%H:%M:%SZ)
LDFLAGS := -X main.version=$(VERSION) -X main.dateBuilt=$(DATE)
GO      ?= go
FUZZTIME ?= 5s

# package:FuzzTarget pairs run briefly by `make test`.
FUZZ_TARGETS := \
	./plugins/tracker:FuzzParseLine \
	./plugins/tracker:FuzzAppendEscaped \
	./plugins/device:FuzzClassify \
	./plugins/event:FuzzTrackerEvent \
	./plugins/device/uamatch:FuzzDifferential

.PHONY: all build demo test tools fmt-check vet docs-check unit yaml-tests lint-configs fuzz bench docs clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o kafkastore ./cmd/kafkastore

demo: build
	./kafkastore demo

test: tools fmt-check vet docs-check unit build lint-configs yaml-tests fuzz
	@echo "make test: all checks passed"

tools:
	@bash .ci/ensure-tools

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

vet:
	$(GO) vet ./...

unit:
	$(GO) test -race -timeout 20m ./...

lint-configs: build
	./kafkastore lint config/kafkastore.yaml config/examples/*.yaml

yaml-tests: build
	./kafkastore test ./tests/...

fuzz:
	@set -e; for pt in $(FUZZ_TARGETS); do \
		pkg=$${pt%%:*}; fn=$${pt##*:}; \
		if grep -qs "func $$fn(" $$pkg/*_test.go; then \
			echo "fuzz $$pkg $$fn ($(FUZZTIME))"; \
			$(GO) test -run='^$$' -fuzz="^$$fn$$" -fuzztime=$(FUZZTIME) $$pkg; \
		else echo "fuzz target $$fn missing in $$pkg"; exit 1; fi; \
	done

bench: build
	bash bench/run.sh

docs:
	$(GO) run ./cmd/gendocs

# The component docs must match the specs: run `make docs` after changing one.
docs-check:
	@tmp=$$(mktemp -d); $(GO) run ./cmd/gendocs -out $$tmp >/dev/null && \
	if ! diff -r $$tmp docs/components >/dev/null; then \
		echo "docs/components is stale: run make docs"; diff -r $$tmp docs/components | head -20; rm -rf $$tmp; exit 1; fi; \
	rm -rf $$tmp

clean:
	rm -f kafkastore
