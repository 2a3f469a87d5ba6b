# SPDX-License-Identifier: GPL-2.0
#
# The hosted home: libbpf64.a, the bpf64 command, the tests.
#   make            build/libbpf64.a and build/bpf64
#   make check      everything CI runs; ends with "N passed, N failed"
#   make bench      benchmarks (ratios against anchors measured in the same run)
#   make fuzz       longer randomised runs (DIFFTEST_COUNT=N differential
#                   programs against Linux, default 100000)
#
# Kbuild (next to this file) builds the same core as a kernel module.

CC      ?= gcc
O       ?= build
SAN     ?=
WERROR  ?=

CFLAGS_BASE := -std=gnu11 -O2 -g -Wall -Wextra -Wno-unused-parameter \
	       -Wno-missing-field-initializers -fno-strict-aliasing \
	       -Iinclude -Itools/lib
ifneq ($(WERROR),)
CFLAGS_BASE += -Werror
endif
ifneq ($(SAN),)
CFLAGS_BASE += -fsanitize=address,undefined -fno-sanitize-recover=all \
	       -fno-omit-frame-pointer
LDFLAGS += -fsanitize=address,undefined
endif
CFLAGS  ?=
override CFLAGS := $(CFLAGS_BASE) $(CFLAGS)
LDLIBS  += -lelf -lz -lpthread

# The portable core and the hosted home; each directory's .c files are ours.
CORE_SRCS := $(wildcard kernel/bpf/*.c kernel/*.c kernel/trace/*.c \
		net/core/*.c arch/x86/net/*.c arch/arm64/net/*.c)
HOST_SRCS := $(wildcard host/*.c tools/lib/bpf64/*.c)
LIB_OBJS  := $(patsubst %.c,$(O)/%.o,$(CORE_SRCS) $(HOST_SRCS))
TOOL_OBJS := $(patsubst %.c,$(O)/%.o,$(wildcard tools/bpf/bpf64/*.c))
TEST_SRCS := $(wildcard tools/testing/selftests/bpf/test_*.c)
TESTS     := $(patsubst tools/testing/selftests/bpf/%.c,$(O)/tests/%,$(TEST_SRCS))
BENCH_SRCS := $(wildcard tools/testing/selftests/bpf/bench_*.c)
BENCHES   := $(patsubst tools/testing/selftests/bpf/%.c,$(O)/tests/%,$(BENCH_SRCS))

all: $(O)/libbpf64.a $(O)/bpf64

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(O)/libbpf64.a: $(LIB_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(O)/bpf64: $(TOOL_OBJS) $(O)/libbpf64.a
	$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(O)/tests/%: tools/testing/selftests/bpf/%.c $(O)/libbpf64.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools/testing/selftests/bpf $(LDFLAGS) -o $@ $< \
		$(O)/libbpf64.a $(LDLIBS)

# BPF programs the tests load, compiled by clang for each -mcpu they need:
# build/progs/NAME.o (-mcpu=v3) and build/progs/NAME.vN.o (-mcpu=vN).
BPF_CLANG ?= clang-19
BPF_CFLAGS := -target bpf -O2 -g -Wall -Werror -Itools/testing/selftests/bpf/progs
PROG_SRCS := $(wildcard tools/testing/selftests/bpf/progs/*.c)
PROG_OBJS := $(foreach v,1 2 3 4,$(patsubst tools/testing/selftests/bpf/progs/%.c,$(O)/progs/%.v$(v).o,$(PROG_SRCS))) \
	     $(patsubst tools/testing/selftests/bpf/progs/%.c,$(O)/progs/%.o,$(PROG_SRCS))

$(O)/progs/%.o: tools/testing/selftests/bpf/progs/%.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) $(BPF_CFLAGS) -mcpu=v3 -c $< -o $@

define bpf_prog_cpu_rule
$(O)/progs/%.v$(1).o: tools/testing/selftests/bpf/progs/%.c
	@mkdir -p $$(dir $$@)
	$$(BPF_CLANG) $$(BPF_CFLAGS) -mcpu=v$(1) -c $$< -o $$@
endef
$(foreach v,1 2 3 4,$(eval $(call bpf_prog_cpu_rule,$(v))))

# The same programs from GCC's BPF backend (gcc-bpf): build/progs/NAME.gcc.o.
BPF_GCC ?= bpf-gcc
BPF_GCC_CFLAGS := -O2 -gbtf -Wall -Werror -Itools/testing/selftests/bpf/progs
GCC_PROG_SRCS := $(filter-out %/elf_callback.c,$(wildcard tools/testing/selftests/bpf/progs/elf_*.c))
GCC_PROG_OBJS := $(patsubst tools/testing/selftests/bpf/progs/%.c,$(O)/progs/%.gcc.o,$(GCC_PROG_SRCS))
$(O)/progs/%.gcc.o: tools/testing/selftests/bpf/progs/%.c
	@mkdir -p $(dir $@)
	$(BPF_GCC) $(BPF_GCC_CFLAGS) -c $< -o $@

progs: $(PROG_OBJS) $(if $(shell command -v $(BPF_GCC)),$(GCC_PROG_OBJS))

# The samples (samples/bpf/): objects for bpf64 run and for Linux.
BPF_SYS_INC := -I/usr/include/$(shell gcc -print-multiarch 2>/dev/null)
SAMPLE_OBJS := $(patsubst samples/bpf/%.c,$(O)/samples/%.o,$(wildcard samples/bpf/*.c))
$(O)/samples/%.o: samples/bpf/%.c
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf -O2 -g -Wall -Werror -mcpu=v3 $(BPF_SYS_INC) -c $< -o $@

samples: $(SAMPLE_OBJS)

# The JIT benchmark (bench_jit.c): programs in C (progs/bench/), each
# compiled for BPF (build/progs/bench/NAME.o, which bench_jit loads into
# bpf64 and Linux) and for the host (build/bench/NAME.native.o, linked in).
BENCH_DIR := tools/testing/selftests/bpf/progs/bench
BENCH_PROG_SRCS := $(wildcard $(BENCH_DIR)/*.c)
BENCH_PROG_OBJS := $(patsubst $(BENCH_DIR)/%.c,$(O)/progs/bench/%.o,$(BENCH_PROG_SRCS))
BENCH_NATIVE_OBJS := $(patsubst $(BENCH_DIR)/%.c,$(O)/bench/%.native.o,$(BENCH_PROG_SRCS))
NATIVE_CLANG ?= clang-19

$(O)/progs/bench/%.o: $(BENCH_DIR)/%.c $(BENCH_DIR)/bench.h
	@mkdir -p $(dir $@)
	$(BPF_CLANG) -target bpf -O2 -g -Wall -Werror -mcpu=v4 -c $< -o $@

$(O)/bench/%.native.o: $(BENCH_DIR)/%.c $(BENCH_DIR)/bench.h
	@mkdir -p $(dir $@)
	$(NATIVE_CLANG) -O2 -Wall -Werror -c $< -o $@

$(O)/tests/bench_jit: tools/testing/selftests/bpf/bench_jit.c $(O)/libbpf64.a \
		      $(BENCH_NATIVE_OBJS) | $(BENCH_PROG_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itools/testing/selftests/bpf \
		-DBENCH_PROGS_DIR='"$(O)/progs/bench"' $(LDFLAGS) -o $@ $< \
		$(BENCH_NATIVE_OBJS) $(O)/libbpf64.a $(LDLIBS) -lm

# Tests whose cases live in headers of their own.
$(O)/tests/test_verifier: $(wildcard tools/testing/selftests/bpf/verifier/*.h)

tests: all $(TESTS) $(BENCHES) progs

check:
	scripts/check.sh

bench: all $(BENCHES)
	scripts/bench.sh

DIFFTEST_COUNT ?= 100000
fuzz: tests
	scripts/fuzz.sh long
	$(O)/tests/test_difftest --count $(DIFFTEST_COUNT)

clean:
	rm -rf build build-*

.PHONY: all tests progs samples check bench fuzz clean
-include $(LIB_OBJS:.o=.d) $(TOOL_OBJS:.o=.d)
