# Lanterne build. `make run` and `make test` are the two commands a newcomer needs.
# Everything else (deps, build, asan, fuzz, bench) is a step those two call.

CC       ?= cc
BUILD    ?= build
CFLAGS   ?= -O2 -g
# flags the code needs whatever CFLAGS the caller gives (asan/fuzz builds override CFLAGS)
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wno-unused-parameter \
            -Isrc -I$(BUILD)/gen -I/usr/include/postgresql -MMD -MP
LDLIBS   += -lmicrohttpd -lsqlite3 -lpq -ljansson -lsodium -lmagic -lcmark -lpthread -lm
# libvips (photos): its glib headers are included as system headers, so -Werror never sees
# their warnings (the multiarch directory is one already, and stays where the compiler puts it);
# libwebp: image.c encodes WebP itself; zlib: test_image writes PNGs byte by byte
VIPS_CFLAGS := $(patsubst -I%,-isystem %,$(filter-out -I/usr/include/%-linux-gnu,$(shell pkg-config --cflags vips libwebp)))
override CFLAGS += $(VIPS_CFLAGS)
LDLIBS   += $(shell pkg-config --libs vips libwebp) -lz

SRC      := $(shell find src -name '*.c' | sort)
LIBSRC   := $(filter-out src/main.c,$(SRC))
GENSRC   := $(BUILD)/gen/migrations.c
OBJ      := $(patsubst %.c,$(BUILD)/obj/%.o,$(LIBSRC)) $(BUILD)/obj/gen/migrations.o
MAINOBJ  := $(BUILD)/obj/src/main.o
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRC))
MIGRATIONS := $(sort $(wildcard migrations/*.sql))
PO       := $(wildcard po/*.po)
MO       := $(patsubst po/%.po,$(BUILD)/locale/%.mo,$(PO))
MAPDATA  := $(BUILD)/gen/departements-map.json

.PHONY: all run test deps build build-tests asan fuzz bench clean format

all: build

# the server and its data; the unit tests (which need cmocka) are built by `make test`
build: $(BUILD)/lanterne $(MO) $(MAPDATA)

build-tests: build $(UNIT_BIN)

deps:
	@scripts/deps.sh

run: deps build
	@scripts/run.sh

test: deps build-tests
	@scripts/test.sh

$(BUILD)/lanterne: $(OBJ) $(MAINOBJ)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(BUILD)/obj/gen/migrations.o: $(GENSRC)
	@mkdir -p $(dir $@)
	@echo "  CC $<"
	@$(CC) $(CFLAGS) -c -o $@ $<

$(GENSRC): $(MIGRATIONS) scripts/embed-migrations.sh
	@mkdir -p $(dir $@)
	scripts/embed-migrations.sh $(MIGRATIONS) > $@.tmp && mv $@.tmp $@

$(BUILD)/tests/%: tests/unit/%.c $(OBJ)
	@mkdir -p $(dir $@)
	@echo "  LD $@"
	@$(CC) $(CFLAGS) -Itests/unit -o $@ $< $(OBJ) $(LDLIBS) -lcmocka

$(BUILD)/locale/%.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

$(MAPDATA): scripts/extract-map.mjs package-lock.json
	@mkdir -p $(dir $@)
	node scripts/extract-map.mjs > $@.tmp && mv $@.tmp $@

# The same C code under AddressSanitizer and UndefinedBehaviorSanitizer, in its own tree.
asan:
	$(MAKE) BUILD=build/asan CC=clang \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	  LDFLAGS="-fsanitize=address,undefined" build-tests

include mk/fuzz.mk
include mk/vendor.mk

bench: deps build
	@bench/run.sh

format:
	clang-format -i $(SRC) $(wildcard src/*/*.h src/*.h tests/unit/*.c fuzz/*.c)

clean:
	rm -rf build

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)
