# iamtrim: `make help` lists the targets.
SHELL := /bin/bash
GO ?= go
BIN := bin/iamtrim
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
LDFLAGS := -X main.version=$(VERSION)
# Full AWS action catalog and shared reference data, when present beside the checkout.
SHARED ?= $(abspath ../shared)
export IAMTRIM_SHARED ?= $(if $(wildcard $(SHARED)/README.md),$(SHARED),)
export IAMTRIM_CATALOG ?= $(if $(wildcard $(SHARED)/catalog/service-list.json),$(SHARED)/catalog,)

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@awk 'BEGIN{FS=":.*## "} /^[a-zA-Z_-]+:.*## /{printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

.PHONY: build
build: ## Build bin/iamtrim
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/iamtrim

.PHONY: test
test: ## Run every test against a real PostgreSQL (see README: Testing)
	$(GO) vet ./...
	$(GO) test -count=1 -timeout 20m ./...

# The ingest benchmarks generate two 1,000,000-event, 1,000-file, 30-day
# corpora (friendly: sample-shaped; churn: sample/churn) once into BENCH_DIR
# (kept between runs) and ingest them into PostgreSQL.
# BenchmarkIngestConcurrentS3 reads the churn corpus through the real S3
# client from a local endpoint that answers every request after
# IAMTRIM_BENCH_S3_LATENCY (default 20ms, S3's in-region first-byte
# latency): 1 and 4 ingest processes, and one with 16 workers. On this
# 2-core machine, quiet, 2026-12-05 22:33 UTC, ingesters sharing the
# cores (internal/coreshare): 4 processes 6.30-6.46 s, one 6.44-6.49 s
# (one ingester is CPU-bound; 4 on 2 cores cost more CPU); 1.17-1.25
# GETs per object for 4, 1.0 for one (README, Performance).
BENCH_EVENTS ?= 1000000
BENCH_DIR ?= $(abspath bench-corpus)

.PHONY: bench
bench: ## Run the benchmarks: ingest of 1M events, friendly and churning (events/s, peak RSS, rows/event, CPU), expansion, analyze, recommend
	IAMTRIM_BENCH_EVENTS=$(BENCH_EVENTS) IAMTRIM_BENCH_DIR=$(BENCH_DIR) \
		$(GO) test -run '^$$' -bench . -benchmem -timeout 60m ./...

.PHONY: bench-ingest
bench-ingest: ## Run only the ingest benchmarks (BENCH_EVENTS=50000 for a quick check)
	IAMTRIM_BENCH_EVENTS=$(BENCH_EVENTS) IAMTRIM_BENCH_DIR=$(BENCH_DIR) \
		$(GO) test -run '^$$' -bench 'Ingest' -benchtime 1x -timeout 60m ./ingest

.PHONY: demo
demo: build ## Run the main job end to end on the bundled sample organisation
	./scripts/demo.sh

.PHONY: fmt
fmt: ## gofmt the tree
	gofmt -w $$(git ls-files '*.go')

.PHONY: lint
lint: ## gofmt check and go vet
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

.PHONY: clean
clean: ## Remove build outputs
	rm -rf bin demo-out
