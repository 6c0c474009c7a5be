# fuzz.mk: `make fuzz`, included by the Makefile. Builds the library objects for libFuzzer
# (+ASan/UBSan) in $(BUILD)/fuzzobj and links each fuzz/fuzz_*.c into $(BUILD)/fuzz/<name>.
#
# Over the Makefile's old loop: UBSan findings abort (-fno-sanitize-recover) so libFuzzer counts
# them as crashes; the targets get -Wall -Werror and header dependencies; only the objects of
# today's sources are linked (not whatever *.o a find turns up); nothing relinks when unchanged.
# Flags reach the sub-make through the environment: the Makefile's CFLAGS line appends to them.

FUZZ_TOP  := $(firstword $(MAKEFILE_LIST))
FUZZ_SRC  := $(sort $(wildcard fuzz/fuzz_*.c))
FUZZ_OUT  ?= $(BUILD)/fuzz
FUZZ_SAN  := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all \
             -fno-omit-frame-pointer

.PHONY: fuzz fuzz-bins

fuzz:
	@CFLAGS="-O1 -g $(FUZZ_SAN)" LDFLAGS="-fsanitize=address,undefined" \
	  $(MAKE) --no-print-directory -f $(FUZZ_TOP) BUILD=$(BUILD)/fuzzobj CC=clang FUZZ_OUT=$(FUZZ_OUT) fuzz-bins

# Only meaningful inside the sub-make above, where $(OBJ) are the instrumented objects.
fuzz-bins: $(patsubst fuzz/%.c,$(FUZZ_OUT)/%,$(FUZZ_SRC))

$(FUZZ_OUT)/%: fuzz/%.c $(OBJ)
	@mkdir -p $(dir $@)
	@echo "  FUZZ $@"
	@$(CC) $(CFLAGS) -fsanitize=fuzzer -o $@ $< $(OBJ) $(LDFLAGS) $(LDLIBS)

-include $(wildcard $(FUZZ_OUT)/*.d)
