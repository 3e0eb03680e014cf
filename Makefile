# The two commands a newcomer needs (see README.md):
#   make demo   install what is missing, build, run the main job on embedded defaults
#   make test   install what is missing, build with warnings as errors, run the suite
#               (default preset, then the asan preset: ASan + UBSan, then the
#               signer's concurrency tests under TSan: the tsan preset, then short
#               libFuzzer runs of every fuzz target: the fuzz preset, clang-14,
#               then the firmware images on two emulated Arm boards under QEMU,
#               then the appliance core and its unit tests for aarch64 Linux
#               under qemu-aarch64, with the seeded-root reproducibility check)
# Subsets: make test-unit | test-integration | test-e2e ; presets: make build PRESET=debug

PRESET ?= default
JOBS   ?= $(shell nproc)

.PHONY: all bootstrap build demo test test-default test-asan test-fuzz test-firmware test-aarch64 test-tsan test-unit \
        test-integration test-e2e format tidy clean

all: build

bootstrap:
	@scripts/bootstrap.sh

build: bootstrap
	@cmake --preset $(PRESET) >/dev/null
	@cmake --build --preset $(PRESET) -j $(JOBS)

demo: build
	@scripts/demo.sh build/$(PRESET)

test: bootstrap
	@$(MAKE) --no-print-directory test-default
	@$(MAKE) --no-print-directory test-asan
	@$(MAKE) --no-print-directory test-tsan
	@$(MAKE) --no-print-directory test-fuzz
	@$(MAKE) --no-print-directory test-firmware
	@$(MAKE) --no-print-directory test-aarch64

test-default:
	@$(MAKE) --no-print-directory build PRESET=default
	@ctest --preset default

test-asan:
	@$(MAKE) --no-print-directory build PRESET=asan
	@ctest --preset asan

test-fuzz:
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz -j $(JOBS)
	@ctest --preset fuzz

# Firmware images under QEMU, one at a time (emulation timings stay
# readable). The board smoke needs the host tools: `ceremony` and
# `fw_link_check` from build/default (make test builds it first).
test-firmware:
	@cmake --preset default >/dev/null && cmake --build --preset default -j $(JOBS) --target ceremony fw_link_check
	@for p in fw-an505 fw-an385; do \
	  cmake --preset $$p >/dev/null && cmake --build --preset $$p -j $(JOBS) && \
	  ctest --preset $$p -L firmware -j 1 || exit 1; \
	done

test-aarch64:
	@cmake --preset aarch64 >/dev/null
	@cmake --build --preset aarch64 -j $(JOBS)
	@ctest --preset aarch64 -LE slow

# Builds only the tsan preset's targets (CMakePresets.json; tests/tsan lists
# the same tests and gives them TSAN_OPTIONS with tests/tsan/tsan.supp).
test-tsan:
	@$(MAKE) --no-print-directory build PRESET=tsan
	@ctest --preset tsan -L tsan

test-unit test-integration test-e2e: build
	@ctest --preset $(PRESET) -L $(subst test-,,$@)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

tidy: build
	@git ls-files '*.cc' | grep -v '_test.cc' | xargs clang-tidy -p build/$(PRESET) --quiet

clean:
	@rm -rf build
