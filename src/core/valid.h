/* valid: shape checks for the contact details people type (e-mail addresses, web sites),
 * one definition shared by accounts, coordinations and structures; and the length and
 * character check of a free-text field shared by groups and structures. */
#ifndef LANTERNE_VALID_H
#define LANTERNE_VALID_H

#include <stddef.h>

/* RFC 5321's limit on the part before the '@', in bytes: addresses past it do not deliver. */
enum { VALID_EMAIL_LOCAL_MAX = 64 };

/* 1 if s looks like an e-mail address, 0 if not. Deliberately loose: it catches typos, not
 * every RFC 5322 corner, and delivery is the real test. One '@' with 1..local_max bytes before
 * it (VALID_EMAIL_LOCAL_MAX, or SIZE_MAX where only the field's own length limit applies),
 * no space, control character or any of < > ( ) [ ] \ , ; : " and a dotted domain that
 * neither starts nor ends with '.' or '-' and has no "..". Non-ASCII bytes pass
 * (internationalized addresses): callers check UTF-8 and length. */
int valid_email(const char *s, size_t local_max);

/* 1 if s is an absolute http:// or https:// address (scheme in any case) with a host, 0 if
 * not. Only these schemes because the value becomes a link, and javascript: or data: links
 * would run in our pages. The host may not hold '@' (user@host is a classic disguise for
 * another site) nor start with '.' or ':'; no space, control character or any of
 * < > " ` { } | \ ^ anywhere. */
int valid_http_url(const char *s);

struct err;

/* Length and characters of the free-text field v (already trimmed): valid UTF-8, at most max
 * characters, no control character (they hide text and break exports) except line breaks and
 * tabs when multiline is set. what is the subject of the message, a message id marked with N_
 * ("Le titre", "L'adresse") translated here, so messages read naturally. 0 if v passes, else
 * -1 with a 422 error on field in e. */
int valid_text(const char *v, const char *field, const char *what, size_t max, int multiline,
               struct err *e);

#endif
