#!/bin/sh
# Extracts every user-facing message (French message ids) into po/lanterne.pot and merges
# it into po/en.po: from templates ({{_ Texte}}) and from C (web_t, web_error, web_flash,
# err_set, err_field and N_ markers). Run after changing texts, then translate po/en.po.
set -eu
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find src -name '*.c' | sort >"$tmp/files"
xgettext --from-code=UTF-8 --language=C --no-wrap --sort-output -o "$tmp/c.pot" \
  --keyword= --keyword=web_t:2 --keyword=web_error:3 --keyword=web_flash:2 \
  --keyword=err_set:3 --keyword=err_field:4 --keyword=N_ \
  --files-from="$tmp/files" --package-name=lanterne
# templates: {{_ text}} → a C-like file xgettext can read, keeping file:line references
find templates -name '*.html' | sort | while read -r f; do
  grep -no '{{_ [^}]*}}' "$f" | while IFS= read -r hit; do
    line=${hit%%:*}
    text=$(printf '%s' "${hit#*:}" | sed -e 's/^{{_ //' -e 's/}}$//' -e 's/[[:space:]]*$//' \
      -e 's/\\/\\\\/g' -e 's/"/\\"/g')
    printf '#line %s "%s"\nN_("%s");\n' "$line" "$f" "$text"
  done
done >"$tmp/templates.c"
xgettext --from-code=UTF-8 --language=C --no-wrap --sort-output -o "$tmp/t.pot" \
  --keyword=N_ "$tmp/templates.c" --package-name=lanterne
msgcat --no-wrap --sort-output -o po/lanterne.pot "$tmp/c.pot" "$tmp/t.pot"
if [ -f po/en.po ]; then
  msgmerge --quiet --no-wrap --sort-output --no-fuzzy-matching -U po/en.po po/lanterne.pot
else
  msginit --no-translator --no-wrap --locale=en -i po/lanterne.pot -o po/en.po
fi
echo "po/en.po: $(msgattrib --untranslated po/en.po | grep -c '^msgid ' || true) untranslated"
