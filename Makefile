# Dongting -- GNU make.  `make` builds bin/dongting; `make run` and `make test`
# are the two commands a new user needs (see README.md).
#
#   make SANITIZER=address,undefined   build with sanitizers into build/san/
#   make V=1                           show compiler command lines

CC       ?= cc
PKGS     := libevent hiredis jansson libcrypto libcurl proj libzip libprotobuf-c libxml-2.0
SANITIZER ?=

ifeq ($(SANITIZER),)
  BUILD := build/release
  BIN   := bin
  OPT   := -O2 -g
else
  BUILD := build/san
  BIN   := build/san/bin
  OPT   := -O1 -g -fno-omit-frame-pointer -fsanitize=$(SANITIZER) -fno-sanitize-recover=all
endif

WARN := -Wall -Wextra -Wshadow -Wpointer-arith -Wcast-qual -Wstrict-prototypes \
        -Wmissing-prototypes -Wformat=2 -Wundef -Wvla -Wwrite-strings -Werror
CFLAGS_ALL  = -std=c11 -D_GNU_SOURCE $(OPT) $(WARN) -MMD -MP -I. -I$(GEN) \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS_ALL  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm $(LDLIBS)
LDFLAGS_ALL = $(if $(SANITIZER),-fsanitize=$(SANITIZER)) $(LDFLAGS)

ifeq ($(V),1)
  Q :=
else
  Q := @
endif

# Code generated from carriers/*.proto by protoc-c (GTFS-Realtime), the same
# for every build kind; included as "carriers/NAME.pb-c.h".
GEN        := build/gen
PROTO      := $(wildcard carriers/*.proto)
PROTO_C    := $(PROTO:%.proto=$(GEN)/%.pb-c.c)
PROTO_H    := $(PROTO_C:.c=.h)

# Library layers: pure C, no libevent/hiredis (checked by scripts/checksrc.sh).
LIB_SRC    := $(wildcard routing/*.c carriers/*.c geodata/*.c)
SERVER_SRC := $(filter-out server/main.c,$(wildcard server/*.c))
LIB_OBJ    := $(LIB_SRC:%.c=$(BUILD)/%.o) $(PROTO_C:$(GEN)/%.c=$(BUILD)/gen/%.o)
SERVER_OBJ := $(SERVER_SRC:%.c=$(BUILD)/%.o)
MAIN_OBJ   := $(BUILD)/server/main.o
CORE_A     := $(BUILD)/libdongting.a

UNIT_SRC   := $(shell find test/unit -name '*.c' 2>/dev/null)
INTEG_SRC  := $(filter-out test/integration/harness.c,$(wildcard test/integration/*.c))
UNIT_BIN   := $(BUILD)/test/unit_tests
INTEG_BIN  := $(BUILD)/test/integration_tests
HARNESS_OBJ := $(BUILD)/test/integration/harness.o

.PHONY: all deps run test test-build-run check unit integration e2e fuzz \
        fuzz-regress bench clean format

all: deps $(PROTO_H) $(BIN)/dongting $(BIN)/dongting-route $(BIN)/dongting-feedsim

deps:
	@scripts/deps.sh

# Rebuild everything when the flags change (Redis' src/Makefile does the same).
FLAGS_STAMP := $(BUILD)/.flags
FLAGS_NOW   := $(CC) $(CFLAGS_ALL) $(LDFLAGS_ALL)
$(shell mkdir -p $(BUILD); echo '$(FLAGS_NOW)' | cmp -s - $(FLAGS_STAMP) || echo '$(FLAGS_NOW)' > $(FLAGS_STAMP))

$(GEN)/%.pb-c.c $(GEN)/%.pb-c.h: %.proto
	@mkdir -p $(GEN)
	@$(if $(Q),echo "  PROTOC  $<")
	$(Q)protoc-c --c_out=$(GEN) $<

# Every object waits for the generated headers (a first build has no .d
# files to say which ones include them).
$(BUILD)/%.o: %.c $(FLAGS_STAMP) | $(PROTO_H)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(CFLAGS_ALL) -c $< -o $@

# protoc-c's output is not ours: compiled without -Werror's extra warnings.
$(BUILD)/gen/%.o: $(GEN)/%.c $(FLAGS_STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) -std=c11 $(OPT) -I$(GEN) $(shell pkg-config --cflags libprotobuf-c) -MMD -MP -c $< -o $@

$(CORE_A): $(SERVER_OBJ) $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN)/dongting: $(MAIN_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# Batch router (issue 4): routing/cli/ holds its main(); the library is shared.
$(BIN)/dongting-route: $(BUILD)/routing/cli/dongting_route.o $(CORE_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

# Carrier feed simulator (docs/feed-simulator.md): scripts/feedsim/ holds it.
FEEDSIM_SRC := $(wildcard scripts/feedsim/*.c)
$(BIN)/dongting-feedsim: $(FEEDSIM_SRC:%.c=$(BUILD)/%.o) $(CORE_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(UNIT_BIN): $(UNIT_SRC:%.c=$(BUILD)/%.o) $(BUILD)/scripts/feedsim/sim_model.o $(CORE_A)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL) -lcriterion

$(INTEG_BIN): $(INTEG_SRC:%.c=$(BUILD)/%.o) $(HARNESS_OBJ) $(CORE_A)
	@mkdir -p $(dir $@)
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL) -lhiredis -lcriterion

# ---- tests -----------------------------------------------------------------
# `make test`: lint, then the whole suite twice: a release build and a build
# with AddressSanitizer + UndefinedBehaviorSanitizer; then the fuzz targets
# over their seed corpora.  Every integration test starts its own
# redis-server and bin/dongting on free loopback ports.  The browser tests
# (make e2e) run after the sanitizer build, when Chromium is installed.
test: deps check
	$(MAKE) --no-print-directory test-build-run
	$(MAKE) --no-print-directory test-build-run SANITIZER=address,undefined
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory fuzz-regress

test-build-run: $(BIN)/dongting $(BIN)/dongting-route $(BIN)/dongting-feedsim $(UNIT_BIN) $(INTEG_BIN)
	@echo "== unit tests ($(BUILD))"
	$(Q)LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp DONGTING_SRC=$(CURDIR) \
	  DONGTING_ROUTE_BIN=$(CURDIR)/$(BIN)/dongting-route $(UNIT_BIN) --jobs 2
	@echo "== integration tests ($(BUILD))"
	$(Q)LSAN_OPTIONS=suppressions=$(CURDIR)/test/lsan.supp \
	  DONGTING_BIN=$(CURDIR)/$(BIN)/dongting DONGTING_FEEDSIM_BIN=$(CURDIR)/$(BIN)/dongting-feedsim \
	  DONGTING_SRC=$(CURDIR) $(INTEG_BIN) --jobs 2

unit: deps $(UNIT_BIN)
	DONGTING_SRC=$(CURDIR) $(UNIT_BIN)

integration: deps $(BIN)/dongting $(BIN)/dongting-feedsim $(INTEG_BIN)
	DONGTING_BIN=$(CURDIR)/$(BIN)/dongting DONGTING_FEEDSIM_BIN=$(CURDIR)/$(BIN)/dongting-feedsim \
	  DONGTING_SRC=$(CURDIR) $(INTEG_BIN)

check:
	@scripts/checksrc.sh

# Browser tests (test/e2e/, docs/web.md): the pages in headless Chromium
# (Debian's, driven by playwright-core from npm; never a downloaded
# browser) against a private redis-server, bin/dongting-feedsim and
# bin/dongting; screenshots in test/e2e/out/.  Skipped, successfully and
# saying why, without Chromium, without node 20 or later (playwright-core
# refuses older ones; Debian 12's nodejs is 18) or without
# test/e2e/node_modules (scripts/deps.sh runs npm ci there).
CHROMIUM_BIN := $(or $(wildcard /usr/bin/chromium),$(shell command -v chromium 2>/dev/null))
e2e: all
	@if [ -z "$(CHROMIUM_BIN)" ]; then \
	  echo "e2e: skipped (no Chromium; scripts/deps.sh installs it)"; \
	elif ! node -e 'process.exit(+process.versions.node.split(".")[0] >= 20 ? 0 : 1)' 2>/dev/null; then \
	  echo "e2e: skipped (playwright-core needs node 20 or later; found $$(node --version 2>/dev/null || echo none))"; \
	elif [ ! -d test/e2e/node_modules/playwright-core ]; then \
	  echo "e2e: skipped (no test/e2e/node_modules; scripts/deps.sh runs npm ci there)"; \
	else \
	  echo "== browser tests (test/e2e)"; \
	  CHROMIUM=$(CHROMIUM_BIN) node test/e2e/run.mjs; \
	fi

# ---- fuzzing (clang + libFuzzer) -------------------------------------------
FUZZ_SRC   := $(wildcard test/fuzz/fuzz_*.c)
FUZZ_BUILD := build/fuzz
FUZZ_BIN   := $(FUZZ_SRC:test/fuzz/%.c=$(FUZZ_BUILD)/%)
FUZZ_LIBSRC := $(SERVER_SRC) $(LIB_SRC) $(PROTO_C)
FUZZ_SAN    = -fsanitize=address,undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE -g -O1 -I. -I$(GEN) \
              $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# The library is compiled once with libFuzzer's coverage hooks
# (fuzzer-no-link) and linked into every target: compiling it per target
# took most of make test's fuzz phase.
FUZZ_OBJ   := $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(patsubst $(GEN)/%,gen/%,$(FUZZ_LIBSRC)))

.SECONDARY: $(FUZZ_OBJ)

$(FUZZ_BUILD)/obj/gen/%.o: $(GEN)/%.c
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/obj/%.o: %.c | $(PROTO_H)
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link $(FUZZ_SAN) -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/%: test/fuzz/%.c $(FUZZ_OBJ)
	@mkdir -p $(dir $@)
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $< $(FUZZ_OBJ) $(LDLIBS_ALL)

# Replays each target's seed corpus, then fuzzes it for FUZZ_REGRESS_SECONDS
# in a scratch copy (part of `make test`; any crash fails the run).
FUZZ_REGRESS_SECONDS ?= 10
fuzz-regress: deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); w=$(FUZZ_BUILD)/work/$$n; \
	  rm -rf $$w && mkdir -p $$w && cp test/fuzz/corpus/$$n/* $$w/ && \
	  if $$f -max_total_time=$(FUZZ_REGRESS_SECONDS) -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/ $$w > $(FUZZ_BUILD)/$$n.log 2>&1; \
	  then echo "fuzz $$n: $$(grep -o 'stat::number_of_executed_units: [0-9]*' $(FUZZ_BUILD)/$$n.log | grep -o '[0-9]*$$') runs, no crash"; \
	  else tail -40 $(FUZZ_BUILD)/$$n.log; echo "fuzz $$n: FAILED (input saved under $(FUZZ_BUILD)/)"; exit 1; fi; \
	done

# Longer runs for a developer: make fuzz FUZZ_SECONDS=300
FUZZ_SECONDS ?= 60
fuzz: deps $(FUZZ_BIN)
	@for f in $(FUZZ_BIN); do n=$$(basename $$f); mkdir -p $(FUZZ_BUILD)/corpus/$$n; \
	  $$f -max_total_time=$(FUZZ_SECONDS) $(FUZZ_BUILD)/corpus/$$n test/fuzz/corpus/$$n || exit 1; done

# ---- run and bench ---------------------------------------------------------
PORT ?= 8080
REDIS_PORT ?= 6380
SIM_PORT ?= 8090
run: all
	@PORT=$(PORT) REDIS_PORT=$(REDIS_PORT) SIM_PORT=$(SIM_PORT) scripts/run.sh

bench: all
	@scripts/bench.sh && scripts/bench_ingest.sh && scripts/bench_routing.sh && \
		scripts/bench_waybills.sh

# ---- routing benchmark -----------------------------------------------------
# test/bench/: gtfs_gen writes a synthetic GTFS feed, routing_bench loads it
# and times earliest-arrival queries against a bare connection scan; mc_bench
# times the multi-criteria freight search on the same feeds and queries.
# scripts/bench_routing.sh (run by `make bench`) builds them with
# `make bench-routing-build`.
BENCH_GEN     := $(BUILD)/test/bench/gtfs_gen
BENCH_ROUTING := $(BUILD)/test/bench/routing_bench
BENCH_MC      := $(BUILD)/test/bench/mc_bench

.PHONY: bench-routing-build
bench-routing-build: $(BENCH_GEN) $(BENCH_ROUTING) $(BENCH_MC)

$(BENCH_GEN): $(BUILD)/test/bench/gtfs_gen.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ -lm $(LDLIBS)

$(BENCH_ROUTING): $(BUILD)/test/bench/routing_bench.o $(BUILD)/test/bench/bench_util.o $(CORE_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)

$(BENCH_MC): $(BUILD)/test/bench/mc_bench.o $(BUILD)/test/bench/bench_util.o $(CORE_A)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)
# ---- end of routing benchmark ----------------------------------------------

# ---- waybill benchmark -----------------------------------------------------
# scripts/bench_waybills.sh (run by `make bench`) builds these with
# `make bench-waybills-build`: floor_server, the bare evhttp + hiredis
# answer to GET /v1/waybills/NUMBER it measures the server against, and
# fanout_probe, which times an ETA fan-out from the client's side.
BENCH_FLOOR  := $(BUILD)/test/bench/floor_server
BENCH_FANOUT := $(BUILD)/test/bench/fanout_probe

.PHONY: bench-waybills-build
bench-waybills-build: $(BENCH_FLOOR) $(BENCH_FANOUT)

$(BENCH_FLOOR) $(BENCH_FANOUT): %: %.o
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LDLIBS_ALL)
# ---- end of waybill benchmark ----------------------------------------------

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build bin

-include $(shell find build -name '*.d' 2>/dev/null)
