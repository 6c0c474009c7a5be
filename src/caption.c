/* caption: WebVTT validation and SRT conversion (see caption.h). */
#include "caption.h"

#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/mem.h"
#include "core/text.h"

static int digits(const char *s, size_t n, long long *v)
{
    if (n == 0)
        return -1;
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        *v = *v * 10 + (s[i] - '0');
    }
    return 0;
}

long long caption_parse_time(const char *s, size_t n, char sep)
{
    /* split on ':' then the last part on sep */
    const char *parts[3];
    size_t lens[3];
    int np = 0;
    const char *p = s, *end = s + n;
    while (p <= end && np < 3) {
        const char *c = memchr(p, ':', (size_t)(end - p));
        if (!c)
            c = end;
        parts[np] = p;
        lens[np] = (size_t)(c - p);
        np++;
        p = c + 1;
        if (c == end)
            break;
    }
    if (p < end || np < 2)
        return -1;
    const char *last = parts[np - 1];
    size_t llen = lens[np - 1];
    const char *dot = memchr(last, sep, llen);
    if (!dot || (size_t)(last + llen - dot - 1) != 3 || dot - last != 2)
        return -1;
    long long h = 0, m, sec, ms;
    if (np == 3 && digits(parts[0], lens[0], &h))
        return -1;
    size_t mi = (size_t)np - 2;
    if (lens[mi] != 2 || digits(parts[mi], 2, &m) || digits(last, 2, &sec) ||
        digits(dot + 1, 3, &ms))
        return -1;
    if (np == 3 && lens[0] < 2 && sep == '.')
        return -1;
    if (m > 59 || sec > 59)
        return -1;
    return ((h * 60 + m) * 60 + sec) * 1000 + ms;
}

/* "a --> b[ settings]": 0 with start/end, -1 when malformed. */
static int parse_timing(const char *line, size_t n, char sep, long long *start, long long *end,
                        const char **settings)
{
    const char *arrow = NULL;
    for (size_t i = 0; i + 3 <= n; i++)
        if (memcmp(line + i, "-->", 3) == 0) {
            arrow = line + i;
            break;
        }
    if (!arrow)
        return -1;
    const char *a = line, *ae = arrow;
    while (ae > a && (ae[-1] == ' ' || ae[-1] == '\t'))
        ae--;
    const char *b = arrow + 3, *le = line + n;
    while (b < le && (*b == ' ' || *b == '\t'))
        b++;
    const char *be = b;
    while (be < le && *be != ' ' && *be != '\t')
        be++;
    *start = caption_parse_time(a, (size_t)(ae - a), sep);
    *end = caption_parse_time(b, (size_t)(be - b), sep);
    if (settings)
        *settings = be;
    if (*start < 0 || *end < 0 || *end < *start)
        return -1;
    return 0;
}

static void put_time(struct buf *b, long long ms)
{
    buf_printf(b, "%02lld:%02lld:%02lld.%03lld", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60,
               ms % 1000);
}

/* Lines of text normalised to LF, without BOM. */
static char *normalise(struct arena *a, const char *data, size_t len, size_t *out_len)
{
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0) {
        data += 3;
        len -= 3;
    }
    char *s = arena_alloc(a, len + 2);
    size_t j = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\r') {
            s[j++] = '\n';
            if (i + 1 < len && data[i + 1] == '\n')
                i++;
        } else {
            s[j++] = data[i];
        }
    }
    if (j == 0 || s[j - 1] != '\n')
        s[j++] = '\n';
    s[j] = 0;
    *out_len = j;
    return s;
}

int caption_to_webvtt(struct arena *a, const char *data, size_t len, const char **out,
                      size_t *out_len, struct err *e)
{
    if (len > CAPTION_BYTES_MAX)
        return err_field(e, 413, "captions", "Le fichier de sous-titres dépasse %d Ko.",
                         CAPTION_BYTES_MAX / 1024);
    if (!text_utf8_valid(data, len) || memchr(data, 0, len))
        return err_field(e, 422, "captions",
                         "Le fichier de sous-titres doit être du texte en UTF-8.");
    size_t n;
    char *s = normalise(a, data, len, &n);
    int vtt = strncmp(s, "WEBVTT", 6) == 0 && (s[6] == '\n' || s[6] == ' ' || s[6] == '\t');
    struct buf b;
    buf_init(&b, CAPTION_BYTES_MAX * 2);
    buf_puts(&b, "WEBVTT\n\n");
    int lineno = 0, cues = 0, rc = -1;
    long long prev_start = 0;
    char *p = s;
    if (vtt) { /* skip the header block: up to the first blank line */
        while (*p) {
            char *nl = strchr(p, '\n');
            lineno++;
            int blank = nl == p;
            p = nl + 1;
            if (blank)
                break;
        }
    }
    /* blocks separated by blank lines */
    while (*p) {
        while (*p == '\n') {
            p++;
            lineno++;
        }
        if (!*p)
            break;
        /* collect the block's lines */
        char *lines[64];
        int nl_count = 0, block_start = lineno + 1;
        while (*p && *p != '\n') {
            char *nl = strchr(p, '\n');
            *nl = 0;
            lineno++;
            if (strlen(p) > CAPTION_LINE_MAX) {
                err_field(e, 422, "captions", "Ligne %d : ligne trop longue.", lineno);
                goto done;
            }
            if (nl_count == 64) {
                err_field(e, 422, "captions", "Ligne %d : sous-titre trop long.", lineno);
                goto done;
            }
            lines[nl_count++] = p;
            p = nl + 1;
        }
        int t = 0; /* index of the timing line */
        if (vtt) {
            if (strncmp(lines[0], "NOTE", 4) == 0 &&
                (lines[0][4] == 0 || lines[0][4] == ' ' || lines[0][4] == '\t'))
                continue;
            if (strcmp(lines[0], "STYLE") == 0 || strcmp(lines[0], "REGION") == 0) {
                if (cues) {
                    err_field(e, 422, "captions",
                              "Ligne %d : les blocs STYLE et REGION doivent précéder les "
                              "sous-titres.",
                              block_start);
                    goto done;
                }
                continue;
            }
            if (!strstr(lines[0], "-->"))
                t = 1; /* a cue identifier */
        } else {
            long long idx;
            if (digits(lines[0], strlen(lines[0]), &idx) == 0)
                t = 1; /* the SRT counter */
        }
        if (t >= nl_count) {
            err_field(e, 422, "captions", "Ligne %d : horaire du sous-titre manquant.",
                      block_start + t);
            goto done;
        }
        long long st, en;
        const char *settings = "";
        if (parse_timing(lines[t], strlen(lines[t]), vtt ? '.' : ',', &st, &en, &settings)) {
            err_field(e, 422, "captions",
                      vtt ? N_("Ligne %d : horaire invalide (attendu « 00:00:01.000 --> "
                               "00:00:02.500 »).")
                          : N_("Ligne %d : horaire invalide (attendu « 00:00:01,000 --> "
                               "00:00:02,500 »)."),
                      block_start + t);
            goto done;
        }
        if (vtt && st < prev_start) {
            err_field(e, 422, "captions",
                      "Ligne %d : les sous-titres doivent être dans l'ordre chronologique.",
                      block_start + t);
            goto done;
        }
        prev_start = st;
        if (++cues > CAPTION_CUES_MAX) {
            err_field(e, 422, "captions", "Trop de sous-titres (au plus %d).", CAPTION_CUES_MAX);
            goto done;
        }
        if (vtt && t == 1)
            buf_printf(&b, "%s\n", lines[0]);
        put_time(&b, st);
        buf_puts(&b, " --> ");
        put_time(&b, en);
        if (vtt && *settings)
            buf_puts(&b, settings);
        buf_putc(&b, '\n');
        for (int i = t + 1; i < nl_count; i++) {
            /* "-->" may not appear in WebVTT cue text: SRT's becomes "--&gt;" */
            for (const char *q = lines[i]; *q; q++) {
                if (!vtt && strncmp(q, "-->", 3) == 0) {
                    buf_puts(&b, "--&gt;");
                    q += 2;
                } else {
                    buf_putc(&b, *q);
                }
            }
            buf_putc(&b, '\n');
        }
        buf_putc(&b, '\n');
    }
    if (!vtt && cues == 0 && strlen(s) > 0 && !strchr(s, ':')) {
        err_field(e, 422, "captions",
                  "Ce fichier n'est ni du WebVTT (il commencerait par « WEBVTT ») ni du SRT.");
        goto done;
    }
    if (cues == 0) {
        err_field(e, 422, "captions", "Le fichier ne contient aucun sous-titre.");
        goto done;
    }
    *out_len = b.len;
    *out = arena_strndup(a, b.data, b.len);
    rc = 0;
done:
    buf_free(&b);
    return rc;
}
