/* i18n: gettext catalogs (.mo files compiled from the po directory) and language negotiation.
 * Message ids are the French texts; French is the default, English has a catalog. */
#ifndef LANTERNE_I18N_H
#define LANTERNE_I18N_H

#include "core/err.h"

/* Loads every <lang>.mo in dir. A missing dir is not an error (French only then). */
int i18n_load(const char *dir, struct err *e);
void i18n_free(void);
/* The translation of msgid in lang, or msgid itself. */
const char *i18n_get(const char *lang, const char *msgid);
/* The language of the request this thread is serving (NULL: French); err_tr and
 * err_set follow it once i18n_load has run. */
void i18n_use(const char *lang);
/* "fr" or "en": an explicit choice (cookie) wins, then Accept-Language, then French. */
const char *i18n_negotiate(const char *choice, const char *accept_language);

#endif
