/* text: UTF-8 validation and the normalization used for searching and slugs.
 * One definition of "the same name" (case, accents, hyphens ignored) shared by every module. */
#ifndef LANTERNE_TEXT_H
#define LANTERNE_TEXT_H

#include <stddef.h>

#include "core/mem.h"

/* Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
 * n bytes are checked (a NUL byte is valid text). 1 if valid, 0 if not. */
int text_utf8_valid(const char *s, size_t n);

/* Code points in s[0..n) under the same strict rules, or -1 if it is not valid UTF-8. Limits
 * are counted in characters, so "Hôpital" is 7 long, not 8. */
long text_utf8_len(const char *s, size_t n);

/* 1 if s[0..n) holds a C0 control character or DEL (they hide text and break JSON and CSV
 * exports), 0 if not. With allow_newlines, line breaks and tabs (\n \r \t) are allowed: for
 * multi-line fields such as descriptions. */
int text_has_control(const char *s, size_t n, int allow_newlines);

/* Search form of s, allocated in a: lowercase ASCII, accents of Latin-1 Supplement and
 * Latin Extended-A removed (é->e, Ł->l), ligatures spelled out (œ->oe, æ->ae, ß->ss),
 * punctuation and spaces (incl. ’ « » and non-breaking spaces) turned into single spaces,
 * trimmed. Other scripts are kept unchanged; invalid UTF-8 bytes count as spaces.
 * "Saint-Étienne" -> "saint etienne". Never longer than s. NULL s gives "". */
char *text_norm(struct arena *a, const char *s);

/* URL form of s: text_norm, then only [a-z0-9] kept, runs of anything else become one '-'
 * with none at either end. "L'Haÿ-les-Roses" -> "l-hay-les-roses". May be "" (e.g. a name
 * in a non-Latin script): callers must handle that. */
char *text_slug(struct arena *a, const char *s);

/* A copy of s in a without surrounding blanks (space, \t, \r, \n): a value pasted with a
 * trailing space or newline is the same value, and "   " counts as empty for required
 * fields. NULL s gives "". */
char *text_trim(struct arena *a, const char *s);

#endif
