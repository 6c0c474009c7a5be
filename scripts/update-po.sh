#!/bin/sh
# Extracts every user-facing message (French message ids) into po/lanterne.pot and merges
# it into every po/*.po (creating po/en.po the first time): from templates ({{_ Texte}})
# and from C (web_t, web_tf, web_error, web_flash, web_problem_fields, err_set, err_field,
# err_tr, N_ markers, and the field_error helper). Run after changing texts, then
# translate the empty msgstr of po/en.po; `make build` compiles it. See docs/i18n.md.
set -eu
cd "$(dirname "$0")/.."
for tool in xgettext msgcat msggrep msgmerge msginit msgfilter msgfmt; do
  command -v "$tool" >/dev/null 2>&1 || { echo "update-po: $tool not found (install gettext)" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

# ---- C sources ----------------------------------------------------------------------------
# Keywords are "function:argument". Only the first literal of a ?: is seen by xgettext: mark
# every branch with N_() when a message is chosen at run time.
find src -name '*.c' -o -name '*.h' | LC_ALL=C sort >"$tmp/files"
xgettext --from-code=UTF-8 --language=C --no-wrap --sort-output -o "$tmp/c.pot" \
  --add-comments=TRANSLATORS: \
  --keyword= --keyword=web_t:2 --keyword=web_tf:2 --keyword=web_error:3 --keyword=web_flash:2 \
  --keyword=web_problem_fields:3 --keyword=err_set:3 --keyword=err_field:4 --keyword=err_tr \
  --keyword=N_ --keyword=field_error:4 --keyword=web_field_error:4 \
  --files-from="$tmp/files" --package-name=lanterne

# ---- templates ----------------------------------------------------------------------------
# Every {{_ text}} tag (the engine trims the text, and also reads "{{ _ text }}") becomes
# N_("text") in a C-like file under a #line directive, so the references stay file:line.
# Template texts are never printf formats, hence xgettext:no-c-format.
find templates -name '*.html' | LC_ALL=C sort | while IFS= read -r f; do
  awk -v file="$f" '
    function cstr(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return s }
    {
      rest = $0
      while ((i = index(rest, "{{")) > 0) {
        rest = substr(rest, i + 2)
        j = index(rest, "}}")
        if (j == 0) {
          if (rest ~ /^[ \t]*_([ \t]|$)/)
            printf "update-po: %s:%d: a {{_ ...}} tag spans lines; it is not extracted\n", file, NR > "/dev/stderr"
          break
        }
        tag = substr(rest, 1, j - 1)
        rest = substr(rest, j + 2)
        sub(/^[ \t]+/, "", tag)
        if (tag !~ /^_[ \t]/) continue
        tag = substr(tag, 2)
        sub(/^[ \t]+/, "", tag); sub(/[ \t]+$/, "", tag)
        if (tag == "") continue
        printf "#line %d \"%s\"\n/* xgettext:no-c-format */ N_(\"%s\");\n", NR, file, cstr(tag)
      }
    }' "$f"
done >"$tmp/templates.c"
xgettext --from-code=UTF-8 --language=C --no-wrap --sort-output -o "$tmp/t.pot" \
  --keyword= --keyword=N_ "$tmp/templates.c" --package-name=lanterne

# ---- catalog ------------------------------------------------------------------------------
# Messages made only of format directives ("%s": a message built elsewhere) have nothing to
# translate and are left out.
msgcat --no-wrap --sort-output --use-first -o "$tmp/all.pot" "$tmp/c.pot" "$tmp/t.pot"
msggrep --no-wrap --sort-output --invert-match -K -E -e '^(%[-+ #0-9.*]*[a-zA-Z]+)*$' \
  -o po/lanterne.pot "$tmp/all.pot"

[ -f po/en.po ] || {
  # msginit fills an English catalog with copies of the msgids; start from empty msgstr
  msginit --no-translator --no-wrap --locale=en.UTF-8 -i po/lanterne.pot -o "$tmp/en.po"
  msgfilter --keep-header --no-wrap -i "$tmp/en.po" -o po/en.po sed -e d
}
for po in po/*.po; do
  msgmerge --quiet --no-wrap --sort-output --no-fuzzy-matching --backup=off -U "$po" po/lanterne.pot
  echo "$po: $(msgfmt --check --statistics -o /dev/null "$po" 2>&1)"
done
