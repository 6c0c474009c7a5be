# Front-end libraries from npm (node_modules, installed by `make deps`) copied into the
# served static tree at build time: static/vendor/ is generated, git-ignored, and loaded
# with the rest of static/ by src/web/assets.c (fingerprinted URLs, strong ETags).
VENDOR_JS := static/vendor/hls.min.js static/vendor/tus.min.js

build: $(VENDOR_JS)

static/vendor/hls.min.js: node_modules/hls.js/dist/hls.min.js
	@mkdir -p $(dir $@)
	cp $< $@

static/vendor/tus.min.js: node_modules/tus-js-client/dist/tus.min.js
	@mkdir -p $(dir $@)
	cp $< $@
