# The Ultra contract kit. `make run` starts the gateway with mock providers; `make test` runs every test.
GO      ?= go
BIN     := bin/ultra
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X main.version=$(VERSION)
PKGS    := ./...

.PHONY: run test bench lint check-imports build image contract clean

## run: start the gateway in development mode with in-process mock providers. The first build downloads
## the modules and compiles for minutes: say so before starting, judged by bin/ultra-dev being absent.
DEV_BIN := bin/ultra-dev
run:
	@[ -x $(DEV_BIN) ] || echo "first build: downloading modules and compiling, a few minutes"
	@$(GO) build -o $(DEV_BIN) ./cmd/ultra && exec $(DEV_BIN) gateway

## test: vet, lint, import rules, then every test with the race detector (-race needs cgo, so without a
## C compiler the tests run without it). Tests whose outside needs are missing (the documents in
## ULTRA_SPECS_DIR, default ../shared/specs; a Docker engine) skip, and the last line counts them; with
## ULTRA_REQUIRE_SPECS=1 / ULTRA_REQUIRE_DOCKER=1 they fail instead. The exit status is go test's.
RACE = $(shell [ "$$($(GO) env CGO_ENABLED)" = 1 ] && echo -race)
test: lint check-imports
	@log=$$(mktemp); race='$(RACE)'; \
	echo "$(GO) test $$race -count=1 -timeout 30m $(PKGS)"; \
	ULTRA_SKIP_LOG="$$log" $(GO) test $$race -count=1 -timeout 30m $(PKGS); status=$$?; \
	awk -v race="$$race" -f internal/testenv/skips.awk "$$log"; rm -f "$$log"; exit $$status

## bench: Go benchmarks (spec, gateway, mockserver) and the side-by-side comparisons in bench/
bench:
	$(GO) test -run '^$$' -bench . -benchmem $(PKGS)
	@if [ -x bench/run ]; then bench/run; fi
	@bench/diff

## lint: go vet, gofmt and `ultra lint openapi.yaml`
lint:
	$(GO) vet $(PKGS)
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi
	$(GO) run ./cmd/ultra lint openapi.yaml

## check-imports: spec imports none of ours; gateway and mockserver never import each other; internal/ (the
## small leaves both servers share: problem, requestid, ...) imports at most spec, and the provider table
## (internal/provider) and the curl writer (internal/curl) import nothing of ours; proxy imports only spec
## and internal/
check-imports:
	@fail=0; mod=$$($(GO) list -m); \
	for leaf in internal/provider internal/curl; do \
	  ours=$$($(GO) list -deps ./$$leaf | grep "^$$mod/" | grep -v "^$$mod/$$leaf$$"); \
	  if [ -n "$$ours" ]; then echo "$$leaf must import nothing of ours, imports: $$ours"; fail=1; fi; \
	done; \
	for rule in "spec:gateway mockserver harness verify" "gateway:mockserver harness verify" "mockserver:gateway harness verify" "verify:gateway mockserver harness" "proxy:gateway mockserver harness verify cmd" "internal:gateway mockserver harness verify cmd"; do \
	  pkg=$${rule%%:*}; \
	  deps=$$($(GO) list -deps ./$$pkg/... 2>/dev/null); \
	  for bad in $${rule#*:}; do \
	    if echo "$$deps" | grep -q "^$$mod/$$bad\(/\|$$\)"; then echo "$$pkg must not import $$bad"; fail=1; fi; \
	  done; \
	done; \
	[ $$fail -eq 0 ] && echo "imports ok"; exit $$fail

## build: a static binary in bin/
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/ultra

## image: the static binary in a FROM scratch image, ultra:$(VERSION) (deploy/Dockerfile; nothing is pulled)
IMAGE   ?= ultra:$(VERSION)
CA_CERTS ?= /etc/ssl/certs/ca-certificates.crt
image: build
	@[ -f "$(CA_CERTS)" ] || { echo "make image: $(CA_CERTS) is missing: install ca-certificates or set CA_CERTS"; exit 2; }
	cp "$(CA_CERTS)" bin/ca-certificates.crt
	docker build --file deploy/Dockerfile --tag $(IMAGE) --tag ultra:latest bin

clean:
	rm -rf bin

## ---- contract checks (owned by the contract-checks engineer; see verify/contract.sh) ----
## contract: `ultra diff` of openapi.yaml against the last release tag (else the previous commit), then
## `ultra verify` against a freshly started gateway. Breaking changes pass only with a major version bump.
contract: build
	ULTRA_BIN=$(BIN) bash verify/contract.sh
