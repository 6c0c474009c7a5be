/* err: the error record every fallible function fills.
 * It carries an HTTP status and a message meant for a person (French by default). */
#ifndef LANTERNE_ERR_H
#define LANTERNE_ERR_H

struct err {
    int status;        /* HTTP status this error maps to (400, 404, 409, 422, 500 ...) */
    const char *field; /* form field the error is about, or NULL (static string) */
    char msg[256];     /* message for a person */
};

/* Fills e (if non-NULL) and returns -1 so callers can write `return err_set(...)`. */
int err_set(struct err *e, int status, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Same, naming the form field concerned. */
int err_field(struct err *e, int status, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void err_clear(struct err *e);

/* Messages are French message ids. err_set/err_field translate their format through the
 * translator installed here (the i18n module installs one that follows the language of the
 * request being served on this thread); err_tr translates one id the same way, for values
 * such as field labels. N_ marks an id for extraction where the text is not passed to a
 * translating function directly (tables, ternaries). */
#define N_(s) (s)
void err_set_translator(const char *(*fn)(const char *msgid));
const char *err_tr(const char *msgid);

#endif
