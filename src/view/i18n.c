/* i18n: a small reader for GNU .mo catalogs and Accept-Language negotiation.
 * Catalogs are read once at start into sorted arrays and searched with bsearch. */
#include "view/i18n.h"
#include "core/buf.h"
#include "core/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct entry {
    const char *id, *str;
};

struct catalog {
    char lang[8];
    char *data;
    struct entry *entries;
    size_t n;
};

/* magic, revision, count and the two table offsets: what a .mo needs before its tables */
enum { MO_HEADER_BYTES = 28 };

static struct catalog g_cat[4];
static size_t g_ncat;

static uint32_t rd32(const unsigned char *p, int swap)
{
    uint32_t v;
    memcpy(&v, p, 4);
    return swap ? __builtin_bswap32(v) : v;
}

static int cmp_entry(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

static int load_mo(const char *path, const char *lang, struct err *e)
{
    struct buf file;
    buf_init(&file, 0);
    if (buf_read_file(&file, path, e)) {
        buf_free(&file);
        return -1;
    }
    if (file.len < MO_HEADER_BYTES) {
        buf_free(&file);
        return err_set(e, 500, "%s: not a .mo file", path);
    }
    size_t size = file.len;
    char *data = buf_detach(&file);
    const unsigned char *u = (const unsigned char *)data;
    uint32_t magic = rd32(u, 0);
    int swap = magic == 0xde120495u;
    if (magic != 0x950412deu && !swap) {
        free(data);
        return err_set(e, 500, "%s: not a .mo file", path);
    }
    uint32_t n = rd32(u + 8, swap), oo = rd32(u + 12, swap), to = rd32(u + 16, swap);
    if ((uint64_t)oo + (uint64_t)n * 8 > (uint64_t)size ||
        (uint64_t)to + (uint64_t)n * 8 > (uint64_t)size) {
        free(data);
        return err_set(e, 500, "%s: truncated .mo file", path);
    }
    struct catalog *c = &g_cat[g_ncat];
    snprintf(c->lang, sizeof c->lang, "%s", lang);
    c->data = data;
    c->entries = xcalloc(n ? n : 1, sizeof *c->entries);
    c->n = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t ol = rd32(u + oo + i * 8, swap), op = rd32(u + oo + i * 8 + 4, swap);
        uint32_t tl = rd32(u + to + i * 8, swap), tp = rd32(u + to + i * 8 + 4, swap);
        if ((uint64_t)op + ol >= (uint64_t)size || (uint64_t)tp + tl >= (uint64_t)size)
            continue;
        if (ol == 0 || tl == 0)
            continue; /* header entry, or untranslated */
        c->entries[c->n].id = data + op;
        c->entries[c->n].str = data + tp;
        c->n++;
    }
    qsort(c->entries, c->n, sizeof *c->entries, cmp_entry);
    g_ncat++;
    return 0;
}

static __thread const char *t_lang;

void i18n_use(const char *lang)
{
    t_lang = lang;
}

static const char *thread_tr(const char *msgid)
{
    return i18n_get(t_lang, msgid);
}

int i18n_load(const char *dir, struct err *e)
{
    err_set_translator(thread_tr);
    static const char *langs[] = {"en"};
    for (size_t i = 0; i < sizeof langs / sizeof *langs; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.mo", dir, langs[i]);
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        fclose(f);
        if (load_mo(path, langs[i], e))
            return -1;
    }
    return 0;
}

void i18n_free(void)
{
    for (size_t i = 0; i < g_ncat; i++) {
        free(g_cat[i].data);
        free(g_cat[i].entries);
    }
    g_ncat = 0;
}

const char *i18n_get(const char *lang, const char *msgid)
{
    if (!lang || !msgid || strcmp(lang, "fr") == 0)
        return msgid;
    for (size_t i = 0; i < g_ncat; i++) {
        if (strcmp(g_cat[i].lang, lang) != 0)
            continue;
        struct entry key = {msgid, NULL};
        struct entry *hit = bsearch(&key, g_cat[i].entries, g_cat[i].n, sizeof key, cmp_entry);
        return hit ? hit->str : msgid;
    }
    return msgid;
}

const char *i18n_negotiate(const char *choice, const char *accept)
{
    if (choice && strcmp(choice, "en") == 0)
        return "en";
    if (choice && strcmp(choice, "fr") == 0)
        return "fr";
    if (!accept)
        return "fr";
    /* take the highest-q of fr / en; ties keep the order given */
    double best_q = -1;
    const char *best = "fr";
    const char *p = accept;
    while (*p) {
        while (*p == ' ' || *p == ',')
            p++;
        const char *tag = p;
        while (*p && *p != ',' && *p != ';')
            p++;
        size_t tl = (size_t)(p - tag);
        double q = 1.0;
        if (*p == ';') {
            const char *qs = strstr(p, "q=");
            const char *next = strchr(p, ',');
            if (qs && (!next || qs < next))
                q = strtod(qs + 2, NULL);
            while (*p && *p != ',')
                p++;
        }
        const char *lang = NULL;
        if (tl >= 2 && strncasecmp(tag, "fr", 2) == 0 && (tl == 2 || tag[2] == '-'))
            lang = "fr";
        else if (tl >= 2 && strncasecmp(tag, "en", 2) == 0 && (tl == 2 || tag[2] == '-'))
            lang = "en";
        if (lang && q > best_q) {
            best_q = q;
            best = lang;
        }
    }
    return best;
}
