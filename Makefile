# softphone — the two promises: `make run` and `make test`.
# Every target installs what is missing first, so a fresh machine needs nothing else.

SWIFT       ?= swift
BUILD_DIR   ?= .build
BIN         := $(BUILD_DIR)/debug/softphone
# System packages the build and the tests need (Debian names).
# Only client libraries: the PulseAudio daemon the tests start comes with sip-env (tests/sip/setup.sh),
# so `make run` on a desktop never touches its sound server (PipeWire's pipewire-pulse among them).
APT_PACKAGES := libsqlite3-dev libncursesw5-dev tmux curl libopus-dev libspandsp-dev libspeexdsp-dev libpulse-dev libsrtp2-dev libc-ares-dev

SIP_PY      := .venv-sip/bin/python

.PHONY: all deps build release run test test-unit test-e2e test-sip sip-env bench fuzz clean help

all: build

help:
	@echo "make run    build and start softphone in demo mode (no configuration needed)"
	@echo "make test   build and run every test: unit, property and end-to-end"
	@echo "make release  build the softphone as shipped (.build-static/release/softphone)"
	@echo "make bench  run the benchmarks and print their tables"
	@echo "make fuzz   run every libFuzzer target for FUZZ_SECONDS (60) each"

# Installs missing system packages (needs root, as on CI and the dev machines).
deps:
	@command -v $(SWIFT) >/dev/null || { echo "swift is not installed: see https://swift.org/install"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		if [ "$$(id -u)" -ne 0 ]; then echo "run as root or install:$$missing"; exit 1; fi; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing >/dev/null 2>&1 || \
		{ apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; }; \
	fi

build: deps
	$(SWIFT) build

run: build
	$(BIN) --demo

# sip-env first: the AudioDevice unit tests start their own PulseAudio server too.
test: deps sip-env
	$(SWIFT) build --build-tests
	$(MAKE) --no-print-directory test-unit test-e2e test-sip

test-unit:
	$(SWIFT) test --skip-build

test-e2e:
	bash tests/e2e/cli.sh $(BIN)
	bash tests/e2e/tui.sh $(BIN)

# Kamailio, baresip and a Python venv with PJSIP (pjsua2) for the SIP interoperability tests.
sip-env:
	bash tests/sip/setup.sh

# The built binary against PJSIP, baresip and Kamailio on loopback (tests/sip/README.md).
test-sip: sip-env
	SOFTPHONE_BIN=$(abspath $(BIN)) $(SIP_PY) -m pytest tests/sip -q

# The softphone as shipped: release, the Swift runtime and Foundation linked in statically
# (one file to install; ~4 MB less resident memory than loading them as shared libraries).
# Its own scratch folder, so the dynamically linked release tools beside it are not rebuilt.
RELEASE_BIN := .build-static/release/softphone

release: deps
	$(SWIFT) build -c release --static-swift-stdlib --product softphone --scratch-path .build-static

bench: deps sip-env release
	$(SWIFT) package --disable-sandbox benchmark --scale --no-progress
	$(SWIFT) build -c release --product sync-latency
	$(BUILD_DIR)/release/sync-latency
	$(SWIFT) build -c release --product sip-bench
	$(BUILD_DIR)/release/sip-bench
	$(SIP_PY) tests/bench/sip_presence.py $(BUILD_DIR)/release/sip-bench
	bash tests/bench/tui.sh $(RELEASE_BIN)
	$(SIP_PY) tests/bench/idle_rss.py $(RELEASE_BIN)
	$(SIP_PY) tests/bench/invite_latency.py $(RELEASE_BIN)
	$(SIP_PY) tests/bench/invite_flood.py $(RELEASE_BIN)
	$(SIP_PY) tests/bench/sound.py $(RELEASE_BIN)
	$(SIP_PY) tests/bench/tls_register.py $(RELEASE_BIN)
	$(SIP_PY) tests/bench/graph_requests.py $(RELEASE_BIN)

# Coverage-guided fuzzing (Fuzz/README.md): builds the libFuzzer targets with
# -sanitize=fuzzer,address (release, in .build-fuzz) and runs each for FUZZ_SECONDS.
# New corpus entries go to a temporary folder, never to Fuzz/corpus. Fails on a crash,
# hang or memory blow-up and leaves the input in .build-fuzz/artifacts/TARGET/.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= sip-message sdp graph-json config-toml pidf

fuzz: deps
	FUZZ_SECONDS=$(FUZZ_SECONDS) bash Fuzz/run.sh $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD_DIR)
