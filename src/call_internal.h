/* call_internal: what call.c and call_app.c share and nobody else uses. */
#ifndef LANTERNE_CALL_INTERNAL_H
#define LANTERNE_CALL_INTERNAL_H

#include <stdint.h>

#include "core/err.h"

/* A required date YYYY-MM-DD within ACTION_YEAR_MIN..MAX as a day number; 422 on field. */
int call_date_ok(const char *s, const char *field, int64_t *day, struct err *e);

#endif
