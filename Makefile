# zq — build, test and demo targets. `make test` is what CI runs.
GO       ?= go
BIN      := bin/zq
FUZZTIME ?= 30s
DEMO     := demo-out

.PHONY: build test test-purego demo bench lint fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/zq

test: lint
	$(GO) test -count=1 ./...
	$(GO) test -count=1 -tags purego ./kernels ./codec
	GOAMD64=v3 $(GO) test -count=1 ./kernels ./codec

# test-purego runs the suite with the assembly twins compiled out.
test-purego:
	$(GO) test -count=1 -tags purego ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	  if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./... ./testdata/gencheckpoint/...
	GOOS=darwin GOARCH=arm64 $(GO) build ./...
	GOOS=windows GOARCH=amd64 $(GO) build ./...

demo: build
	./scripts/demo.sh $(BIN) $(DEMO)

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

# fuzz runs every native fuzz target for FUZZTIME each.
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "== $$pkg $$f"; \
	    $(GO) test $$pkg -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) -fuzzminimizetime 5s; \
	  done; \
	done

clean:
	rm -rf bin $(DEMO)
