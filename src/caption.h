/* caption: caption files for films: WebVTT checked (header, cue timings, size), SRT turned
 * into WebVTT. */
#ifndef LANTERNE_CAPTION_H
#define LANTERNE_CAPTION_H

#include <stddef.h>

#include "core/err.h"

struct arena;

enum {
    CAPTION_BYTES_MAX = 512 * 1024, /* of an uploaded file */
    CAPTION_CUES_MAX = 10000,
    CAPTION_LINE_MAX = 4096 /* bytes of one line */
};

/* Checks data as WebVTT, or converts it from SRT when it does not start with "WEBVTT"
 * (a UTF-8 byte order mark is dropped, CRLF and CR become LF). On success *out (in a, NUL
 * terminated, *out_len bytes) is WebVTT whose every cue has "HH:MM:SS.mmm --> HH:MM:SS.mmm"
 * timings with end >= start. -1 with e: 413 past CAPTION_BYTES_MAX, 422 on "captions" with
 * the line number at fault (not UTF-8, no header, a malformed timing, no cue at all). */
int caption_to_webvtt(struct arena *a, const char *data, size_t len, const char **out,
                      size_t *out_len, struct err *e);

/* Parses "HH:MM:SS.mmm" or "MM:SS.mmm" (WebVTT; sep '.') or "HH:MM:SS,mmm" (SRT; sep ','):
 * milliseconds, or -1. */
long long caption_parse_time(const char *s, size_t n, char sep);

#endif
