# The Ultra contract kit. `make run` starts the gateway with mock providers; `make test` runs every test.
GO      ?= go
BIN     := bin/ultra
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PKGS    := ./...

.PHONY: run test bench lint check-imports check-shared build contract clean

## run: start the gateway in development mode with in-process mock providers
run:
	$(GO) run ./cmd/ultra gateway

## test: vet, lint, import rules, then every test with the race detector
test: lint check-imports check-shared
	$(GO) test -race -count=1 -timeout 30m $(PKGS)

## bench: Go benchmarks (spec, gateway, mockserver) and the side-by-side comparisons in bench/
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	@if [ -x bench/run ]; then bench/run; fi

## lint: go vet, gofmt and `ultra lint openapi.yaml`
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) run ./cmd/ultra lint openapi.yaml

## check-imports: spec imports none of ours; gateway and mockserver never import each other
check-imports:
	@fail=0; mod=$$($(GO) list -m); \
	for rule in "spec:gateway mockserver harness verify" "gateway:mockserver harness verify" "mockserver:gateway harness verify" "verify:gateway mockserver harness"; do \
	  pkg=$${rule%%:*}; \
	  deps=$$($(GO) list -deps ./$$pkg/... 2>/dev/null); \
	  for bad in $${rule#*:}; do \
	    if echo "$$deps" | grep -q "^$$mod/$$bad\(/\|$$\)"; then echo "$$pkg must not import $$bad"; fail=1; fi; \
	  done; \
	done; \
	[ $$fail -eq 0 ] && echo "imports ok"; exit $$fail

## check-shared: the real-world documents the tests run against sit in ../shared/specs, beside the repository
SHARED_SPECS ?= ../shared/specs
check-shared:
	@for f in openai.yaml train-travel.yaml; do \
	  [ -f "$(SHARED_SPECS)/$$f" ] || { echo "make test: $(SHARED_SPECS)/$$f is missing: the tests need the workspace's shared/ folder beside this repository"; exit 2; }; \
	done

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ultra

clean:
	rm -rf bin

## ---- contract checks (owned by the contract-checks engineer; see verify/contract.sh) ----
## contract: `ultra diff` of openapi.yaml against the last release tag (else the previous commit), then
## `ultra verify` against a freshly started gateway. Breaking changes pass only with a major version bump.
contract: build
	ULTRA_BIN=$(BIN) bash verify/contract.sh
