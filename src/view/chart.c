/* chart: bar charts drawn as inline SVG by the server (no JS, no style attribute), the
 * French way of writing numbers, and the thresholds that shade the map of départements. */
#include "view/chart.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/text.h"

/* Sizes in viewBox units. Text widths are estimated (no font metrics on the server) from
 * the number of characters times CHAR_EM of the font size: generous for system-ui, so a
 * label rarely runs past the space it was given. */
#define CHAR_EM 0.6
#define PAD 8.0
#define FS_LABEL 14      /* category labels, legend */
#define FS_SMALL 12      /* values at the end of bars, ticks */
#define BAR 16.0         /* horizontal: thickness of one bar */
#define BAR_GAP 2.0      /* between the bars of one category */
#define BAND_PAD 12.0    /* horizontal: between categories */
#define BAR_MAX 32.0     /* vertical: widest bar */
#define LEGEND_H 26.0    /* the legend's row, above the plot */
#define KEY 12.0         /* the legend's colour squares */
#define LABEL_SHARE 0.45 /* horizontal: widest label column, as a share of the width */
#define VALUE_SHARE 0.25 /* widest room left for the values beyond the bars */
#define PLOT_RATIO 0.45  /* vertical: plot height for a given width */
#define PLOT_MIN 0.3     /* horizontal: narrowest room for the bars, as a share of the width */
#define EMPTY_H 48.0
#define BASELINE 0.35 /* of the font size: from a text's middle down to its baseline */

/* ---- numbers ---- */

/* v the French way into dst (CHART_NUM_MAX bytes), NUL-terminated; returns its length. */
static size_t fmt_int(char *dst, int64_t v)
{
    /* unsigned, so INT64_MIN has a magnitude too */
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    char digits[24];
    int nd = 0;
    do {
        digits[nd++] = (char)('0' + a % 10);
        a /= 10;
    } while (a);
    size_t n = 0;
    if (v < 0)
        dst[n++] = '-';
    for (int i = nd - 1; i >= 0; i--) {
        dst[n++] = digits[i];
        if (i > 0 && i % 3 == 0) {
            memcpy(dst + n, "\xe2\x80\xaf", 3); /* U+202F narrow no-break space */
            n += 3;
        }
    }
    dst[n] = 0;
    return n;
}

/* Characters (not bytes) fmt_int writes for v: each separator is one character. */
static long int_chars(int64_t v)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    long nd = 0;
    do {
        nd++;
        a /= 10;
    } while (a);
    return nd + (nd - 1) / 3 + (v < 0);
}

int chart_format_int(struct buf *out, int64_t v)
{
    char s[CHART_NUM_MAX];
    size_t n = fmt_int(s, v);
    return buf_append(out, s, n);
}

/* A coordinate with at most one decimal, written without the C library's locale (a French
 * LC_NUMERIC would print "12,5" and break the SVG) and never as "-0". */
static int num(struct buf *b, double x)
{
    long long t = llround(x * 10);
    unsigned long long a = t < 0 ? 0ULL - (unsigned long long)t : (unsigned long long)t;
    const char *sign = t < 0 ? "-" : "";
    if (a % 10)
        return buf_printf(b, "%s%llu.%llu", sign, a / 10, a % 10);
    return buf_printf(b, "%s%llu", sign, a / 10);
}

/* ---- text ---- */

/* XML text or attribute value: & < > " ' escaped, control characters other than tab and
 * newlines dropped (XML 1.0 forbids them), and if s is not valid UTF-8 every byte above
 * 0x7F shown as "?", so the document always parses. */
static int esc_n(struct buf *b, const char *s, size_t n)
{
    if (!s)
        return 0;
    int utf8 = text_utf8_valid(s, n);
    size_t run = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        int drop = c < 0x20 && c != '\t' && c != '\n' && c != '\r';
        int bad = !utf8 && c >= 0x80;
        if (!drop && !bad)
            continue;
        if (buf_html(b, s + run, i - run) || (bad && buf_putc(b, '?')))
            return -1;
        run = i + 1;
    }
    return buf_html(b, s + run, n - run);
}

static int esc(struct buf *b, const char *s)
{
    return s ? esc_n(b, s, strlen(s)) : 0;
}

/* Characters in s: code points, or bytes when s is not valid UTF-8 (each shown as one). */
static long chars_of(const char *s)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    long cp = text_utf8_len(s, n);
    return cp < 0 ? (long)n : cp;
}

/* s escaped, cut to max characters with "…" as the last one when it is longer. */
static int put_label(struct buf *b, const char *s, long max)
{
    if (!s)
        return 0;
    size_t n = strlen(s);
    if (max < 1)
        return 0;
    if (chars_of(s) <= max)
        return esc_n(b, s, n);
    if (text_utf8_len(s, n) < 0) /* invalid UTF-8: one byte is one character */
        return esc_n(b, s, (size_t)(max - 1)) || buf_puts(b, "\xe2\x80\xa6");
    size_t at = 0;
    for (long kept = 0; at < n && kept < max - 1; kept++) {
        at++;
        while (at < n && ((unsigned char)s[at] & 0xC0) == 0x80)
            at++;
    }
    return esc_n(b, s, at) || buf_puts(b, "\xe2\x80\xa6");
}

/* A translated pattern whose %s take args in order, every piece escaped ("%%" is "%"). */
static int put_fmt(struct buf *b, const char *fmt, const char *const *args, int nargs)
{
    int next = 0;
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%' || (p[1] != 's' && p[1] != '%'))
            continue;
        if (esc_n(b, run, (size_t)(p - run)))
            return -1;
        if (p[1] == '%') {
            if (buf_putc(b, '%'))
                return -1;
        } else if (next < nargs && esc(b, args[next++])) {
            return -1;
        }
        p++;
        run = p + 1;
    }
    return esc(b, run);
}

int chart_format_range(struct buf *out, int64_t lo, int64_t hi)
{
    char a[CHART_NUM_MAX], z[CHART_NUM_MAX];
    fmt_int(a, lo);
    if (lo == hi)
        return buf_puts(out, a);
    fmt_int(z, hi);
    /* plain text for a template to escape: the pattern is ours, the numbers are digits */
    size_t start = out->len;
    const char *fmt = err_tr(N_("%s à %s"));
    const char *args[] = {a, z};
    int next = 0;
    for (const char *p = fmt; *p; p++) {
        int rc;
        if (*p == '%' && p[1] == 's') {
            rc = buf_puts(out, next < 2 ? args[next++] : "");
            p++;
        } else {
            rc = buf_putc(out, *p);
        }
        if (rc) {
            out->len = start;
            if (out->data)
                out->data[start] = 0;
            return -1;
        }
    }
    return 0;
}

/* ---- ticks ---- */

/* The k-th candidate step: 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500… */
static int64_t step_at(int k)
{
    static const int64_t first[] = {1, 2, 5};
    static const int64_t mant[] = {10, 20, 25, 50};
    if (k < 3)
        return first[k];
    k -= 3;
    int64_t p = 1;
    for (int i = 0; i < k / 4; i++)
        p *= 10;
    return mant[k % 4] * p;
}

static int64_t ceil_div(int64_t a, int64_t s) /* a >= 0, s > 0 */
{
    return a / s + (a % s != 0);
}

/* Ticks in at most maxint intervals (1..CHART_MAX_TICKS - 1; 2 when the range spans both
 * signs, since 0 is a tick). */
static int ticks_in(int64_t lo, int64_t hi, int maxint, int64_t ticks[CHART_MAX_TICKS])
{
    if (lo > 0)
        lo = 0;
    if (hi < 0)
        hi = 0;
    if (lo < -CHART_VALUE_MAX || hi > CHART_VALUE_MAX)
        return 0;
    if (lo == 0 && hi == 0)
        hi = 1;
    if (maxint > CHART_MAX_TICKS - 1)
        maxint = CHART_MAX_TICKS - 1;
    if (maxint < (lo < 0) + (hi > 0))
        maxint = (lo < 0) + (hi > 0);
    /* the smallest step that covers the range in at most CHART_MAX_TICKS - 1 intervals;
     * the steps grow by at most 2.5, so the one before needed 6 or more, and this one
     * needs at least 3 when the range starts at 0 */
    int64_t s = 1;
    int64_t below = 0, above = 0;
    for (int k = 0;; k++) {
        s = step_at(k);
        below = ceil_div(-lo, s);
        above = ceil_div(hi, s);
        if (below + above <= maxint)
            break;
    }
    int n = 0;
    for (int64_t i = -below; i <= above; i++)
        ticks[n++] = i * s;
    return n;
}

int chart_ticks(int64_t lo, int64_t hi, int64_t ticks[CHART_MAX_TICKS])
{
    return ticks_in(lo, hi, CHART_MAX_TICKS - 1, ticks);
}

/* ---- bars ---- */

struct chart {
    struct buf *b;
    const struct chart_opts *o;
    const struct chart_series *series;
    int nseries;
    const char *const *labels;
    int ncat;
    const char *id;
    const char *unit;
    double w;
    int64_t lo, hi; /* smallest and largest value */
    int64_t ticks[CHART_MAX_TICKS];
    int nticks;
    double p0, p1;  /* where ticks[0] and the last tick fall on the value axis */
    double cmax;    /* widest value text, in characters */
    struct buf tmp; /* one value's text, before escaping */
};

static const char *label_of(const struct chart *c, int i)
{
    return c->labels && c->labels[i] ? c->labels[i] : "";
}

static const char *series_name(const struct chart *c, int s)
{
    if (c->series[s].name)
        return c->series[s].name;
    return err_tr(s == 0 ? N_("Série 1") : N_("Série 2"));
}

static double pos(const struct chart *c, int64_t v)
{
    int64_t lo = c->ticks[0], hi = c->ticks[c->nticks - 1];
    return c->p0 + (double)(v - lo) * (c->p1 - c->p0) / (double)(hi - lo);
}

static double text_w(double chars, int fs)
{
    return chars * CHAR_EM * fs;
}

/* "12 400 €" of one value, unescaped, in c->tmp. */
static const char *value_text(struct chart *c, int64_t v)
{
    buf_reset(&c->tmp);
    if (chart_format_int(&c->tmp, v) || buf_puts(&c->tmp, c->unit))
        return NULL;
    return buf_cstr(&c->tmp);
}

static int open_svg(struct chart *c, double h, const char *extra_class)
{
    struct buf *b = c->b;
    const char *title = c->o && c->o->title && *c->o->title ? c->o->title : err_tr(N_("Graphique"));
    const char *desc = c->o && c->o->desc && *c->o->desc ? c->o->desc : NULL;
    if (buf_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart %s\" viewBox=\"0 0 ",
                   extra_class) ||
        num(b, c->w) || buf_putc(b, ' ') || num(b, h) ||
        buf_printf(b, "\" role=\"img\" aria-labelledby=\"%s-title", c->id) ||
        (desc && buf_printf(b, " %s-desc", c->id)) ||
        buf_printf(b, "\">\n<title id=\"%s-title\">", c->id) || esc(b, title) ||
        buf_puts(b, "</title>\n"))
        return -1;
    if (desc &&
        (buf_printf(b, "<desc id=\"%s-desc\">", c->id) || esc(b, desc) || buf_puts(b, "</desc>\n")))
        return -1;
    return 0;
}

static int render_empty(struct chart *c)
{
    struct buf *b = c->b;
    if (open_svg(c, EMPTY_H, "chart-empty") || buf_puts(b, "<text class=\"chart-none\" x=\"") ||
        num(b, c->w / 2) ||
        buf_printf(b, "\" y=\"%d\" text-anchor=\"middle\" font-size=\"%d\">", 30, FS_LABEL) ||
        esc(b, err_tr(N_("Aucune donnée"))) || buf_puts(b, "</text>\n</svg>\n"))
        return -1;
    return 0;
}

/* "<text x=.. y=.. " shared by every text element. */
static int text_at(struct buf *b, const char *cls, double x, double y)
{
    return buf_printf(b, "<text class=\"%s\" x=\"", cls) || num(b, x) || buf_puts(b, "\" y=\"") ||
           num(b, y) || buf_puts(b, "\"");
}

static int line(struct buf *b, const char *cls, double x1, double y1, double x2, double y2)
{
    return buf_printf(b, "<line class=\"%s\" x1=\"", cls) || num(b, x1) ||
           buf_puts(b, "\" y1=\"") || num(b, y1) || buf_puts(b, "\" x2=\"") || num(b, x2) ||
           buf_puts(b, "\" y2=\"") || num(b, y2) || buf_puts(b, "\"/>\n");
}

/* The legend of two series: a coloured square and the series' name, side by side. */
static int legend(struct chart *c, double x, double y)
{
    struct buf *b = c->b;
    if (c->nseries < 2)
        return 0;
    if (buf_printf(b, "<g class=\"chart-legend\" font-size=\"%d\">\n", FS_LABEL))
        return -1;
    for (int s = 0; s < c->nseries; s++) {
        const char *name = series_name(c, s);
        if (buf_printf(b, "<rect class=\"chart-key chart-s%d\" x=\"", s + 1) || num(b, x) ||
            buf_puts(b, "\" y=\"") || num(b, y) || buf_puts(b, "\" width=\"") || num(b, KEY) ||
            buf_puts(b, "\" height=\"") || num(b, KEY) || buf_puts(b, "\"/>") ||
            text_at(b, "chart-legend-text", x + KEY + 6, y + KEY / 2 + BASELINE * FS_LABEL) ||
            buf_putc(b, '>') || put_label(b, name, 40) || buf_puts(b, "</text>\n"))
            return -1;
        double nchars = (double)chars_of(name);
        x += KEY + 6 + text_w(nchars < 40 ? nchars : 40, FS_LABEL) + 20;
    }
    return buf_puts(b, "</g>\n");
}

/* The <rect> of one bar with its tooltip, "Label : 12 400 €" or "Label (2025) : 12 400 €".
 * x, y, w, h: its box. */
static int bar(struct chart *c, int cat, int s, double x, double y, double w, double h)
{
    struct buf *b = c->b;
    const char *value = value_text(c, c->series[s].values[cat]);
    if (!value)
        return -1;
    if (buf_printf(b, "<rect class=\"chart-bar chart-s%d\" x=\"", s + 1) || num(b, x) ||
        buf_puts(b, "\" y=\"") || num(b, y) || buf_puts(b, "\" width=\"") || num(b, w) ||
        buf_puts(b, "\" height=\"") || num(b, h) || buf_puts(b, "\"><title>"))
        return -1;
    if (c->nseries > 1) {
        const char *args[] = {label_of(c, cat), series_name(c, s), value};
        if (put_fmt(b, err_tr(N_("%s (%s) : %s")), args, 3))
            return -1;
    } else {
        const char *args[] = {label_of(c, cat), value};
        if (put_fmt(b, err_tr(N_("%s : %s")), args, 2))
            return -1;
    }
    return buf_puts(b, "</title></rect>\n");
}

/* The ticks' labels and grid lines, across the plot; horizontal: x varies. */
static int axis_h(struct chart *c, double top, double bottom)
{
    struct buf *b = c->b;
    if (buf_puts(b, "<g class=\"chart-grid\">\n"))
        return -1;
    for (int i = 0; i < c->nticks; i++)
        if (c->ticks[i] != 0 &&
            line(b, "chart-gridline", pos(c, c->ticks[i]), top, pos(c, c->ticks[i]), bottom))
            return -1;
    if (buf_puts(b, "</g>\n") || line(b, "chart-axis", pos(c, 0), top - 4, pos(c, 0), bottom + 4) ||
        buf_printf(b, "<g class=\"chart-ticks\" font-size=\"%d\" text-anchor=\"middle\">\n",
                   FS_SMALL))
        return -1;
    char t[CHART_NUM_MAX];
    for (int i = 0; i < c->nticks; i++) {
        fmt_int(t, c->ticks[i]);
        if (text_at(b, "chart-tick", pos(c, c->ticks[i]), bottom + 6 + FS_SMALL) ||
            buf_printf(b, ">%s</text>\n", t))
            return -1;
    }
    return buf_puts(b, "</g>\n");
}

static int render_horizontal(struct chart *c)
{
    struct buf *b = c->b;
    double w = c->w;
    long maxlab = 0;
    for (int i = 0; i < c->ncat; i++) {
        long n = chars_of(label_of(c, i));
        if (n > maxlab)
            maxlab = n;
    }
    long labcap = (long)(w * LABEL_SHARE / text_w(1, FS_LABEL));
    if (maxlab > labcap)
        maxlab = labcap;
    double valw = text_w(c->cmax, FS_SMALL) + 6;
    if (valw > w * VALUE_SHARE)
        valw = w * VALUE_SHARE;
    int neg = c->ticks[0] < 0;
    int above = c->ticks[c->nticks - 1] > 0;
    /* room for the tick labels at both ends, half of one centred on its tick */
    double tickw = text_w((double)int_chars(c->ticks[c->nticks - 1]), FS_SMALL) / 2 + 2;
    double right = valw > tickw ? valw : tickw;
    /* the labels give way when the bars would be left less than PLOT_MIN of the width */
    double room = w - 2 * PAD - 10 - (neg ? valw : 0) - (above ? right : tickw) - w * PLOT_MIN;
    if (text_w((double)maxlab, FS_LABEL) > room)
        maxlab = room > 0 ? (long)(room / text_w(1, FS_LABEL)) : 0;
    double labw = text_w((double)maxlab, FS_LABEL);
    double label_end = PAD + labw;
    c->p0 = label_end + 10 + (neg ? valw : 0);
    c->p1 = w - PAD - (above ? right : tickw);
    /* fewer ticks when their labels, side by side, would touch */
    double tickmax = 0;
    for (int i = 0; i < c->nticks; i++) {
        double tw = text_w((double)int_chars(c->ticks[i]), FS_SMALL) + 10;
        if (tw > tickmax)
            tickmax = tw;
    }
    if ((c->p1 - c->p0) / (c->nticks - 1) < tickmax) {
        c->nticks = ticks_in(c->lo, c->hi, (int)((c->p1 - c->p0) / tickmax), c->ticks);
        tickw = text_w((double)int_chars(c->ticks[c->nticks - 1]), FS_SMALL) / 2 + 2;
        c->p1 = w - PAD - (above ? (valw > tickw ? valw : tickw) : tickw);
    }

    double top = PAD + (c->nseries > 1 ? LEGEND_H : 0);
    double band = c->nseries * BAR + (c->nseries - 1) * BAR_GAP + BAND_PAD;
    double bottom = top + c->ncat * band;
    double h = bottom + 6 + FS_SMALL + PAD;

    if (open_svg(c, h, "chart-horizontal") || axis_h(c, top, bottom) || legend(c, c->p0, PAD))
        return -1;
    for (int i = 0; i < c->ncat; i++) {
        double y = top + i * band + BAND_PAD / 2;
        double mid = y + (band - BAND_PAD) / 2;
        if (buf_puts(b, "<g class=\"chart-cat\">\n") ||
            text_at(b, "chart-label", label_end, mid + BASELINE * FS_LABEL) ||
            buf_printf(b, " text-anchor=\"end\" font-size=\"%d\">", FS_LABEL) ||
            put_label(b, label_of(c, i), maxlab) || buf_puts(b, "</text>\n"))
            return -1;
        for (int s = 0; s < c->nseries; s++) {
            int64_t v = c->series[s].values[i];
            double by = y + s * (BAR + BAR_GAP);
            double x0 = pos(c, 0), x1 = pos(c, v);
            double left = x0 < x1 ? x0 : x1, len = fabs(x1 - x0);
            if (bar(c, i, s, left, by, len, BAR))
                return -1;
            const char *value = value_text(c, v);
            if (!value ||
                text_at(b, "chart-value", v < 0 ? x1 - 4 : x1 + 4,
                        by + BAR / 2 + BASELINE * FS_SMALL) ||
                buf_printf(b, " text-anchor=\"%s\" font-size=\"%d\">", v < 0 ? "end" : "start",
                           FS_SMALL) ||
                esc(b, value) || buf_puts(b, "</text>\n"))
                return -1;
        }
        if (buf_puts(b, "</g>\n"))
            return -1;
    }
    return buf_puts(b, "</svg>\n");
}

/* Ticks' labels on the left and horizontal grid lines; vertical: y varies. */
static int axis_v(struct chart *c, double left, double right)
{
    struct buf *b = c->b;
    if (buf_puts(b, "<g class=\"chart-grid\">\n"))
        return -1;
    for (int i = 0; i < c->nticks; i++)
        if (c->ticks[i] != 0 &&
            line(b, "chart-gridline", left, pos(c, c->ticks[i]), right, pos(c, c->ticks[i])))
            return -1;
    if (buf_puts(b, "</g>\n") || line(b, "chart-axis", left - 4, pos(c, 0), right, pos(c, 0)) ||
        buf_printf(b, "<g class=\"chart-ticks\" font-size=\"%d\" text-anchor=\"end\">\n", FS_SMALL))
        return -1;
    char t[CHART_NUM_MAX];
    for (int i = 0; i < c->nticks; i++) {
        fmt_int(t, c->ticks[i]);
        if (text_at(b, "chart-tick", left - 8, pos(c, c->ticks[i]) + BASELINE * FS_SMALL) ||
            buf_printf(b, ">%s</text>\n", t))
            return -1;
    }
    return buf_puts(b, "</g>\n");
}

static int render_vertical(struct chart *c)
{
    struct buf *b = c->b;
    double w = c->w;
    long tickchars = 0;
    for (int i = 0; i < c->nticks; i++) {
        long n = int_chars(c->ticks[i]);
        if (n > tickchars)
            tickchars = n;
    }
    double left = PAD + text_w((double)tickchars, FS_SMALL) + 10;
    double right = w - PAD;
    double band = (right - left) / c->ncat;
    double inner = band * 0.8;
    double bw = (inner - (c->nseries - 1) * BAR_GAP) / c->nseries;
    if (bw > BAR_MAX)
        bw = BAR_MAX;
    double group = c->nseries * bw + (c->nseries - 1) * BAR_GAP;

    /* values above (below) the bars: across when they fit the bar's slot, else turned a
     * quarter so twelve months of two years still read */
    double valw = text_w(c->cmax, FS_SMALL);
    int turned = valw > band / c->nseries - 2;
    double valroom = turned ? valw + 6 : FS_SMALL + 6;
    int neg = c->ticks[0] < 0;
    int above = c->ticks[c->nticks - 1] > 0;

    double top = PAD + (c->nseries > 1 ? LEGEND_H : 0) + (above ? valroom : FS_SMALL / 2.0);
    double plot_h = w * PLOT_RATIO;
    double bottom = top + plot_h;
    c->p0 = bottom;
    c->p1 = top;
    double labels_y = bottom + (neg ? valroom : 0) + 6 + FS_LABEL;
    double h = labels_y + PAD;
    long labmax = (long)(band / text_w(1, FS_LABEL));

    if (open_svg(c, h, "chart-vertical") || axis_v(c, left, right) || legend(c, left, PAD))
        return -1;
    for (int i = 0; i < c->ncat; i++) {
        double cx = left + (i + 0.5) * band;
        if (buf_puts(b, "<g class=\"chart-cat\">\n") || text_at(b, "chart-label", cx, labels_y) ||
            buf_printf(b, " text-anchor=\"middle\" font-size=\"%d\">", FS_LABEL) ||
            put_label(b, label_of(c, i), labmax) || buf_puts(b, "</text>\n"))
            return -1;
        for (int s = 0; s < c->nseries; s++) {
            int64_t v = c->series[s].values[i];
            double bx = cx - group / 2 + s * (bw + BAR_GAP);
            double y0 = pos(c, 0), y1 = pos(c, v);
            double up = y0 < y1 ? y0 : y1, len = fabs(y1 - y0);
            if (bar(c, i, s, bx, up, bw, len))
                return -1;
            const char *value = value_text(c, v);
            double vx = bx + bw / 2;
            if (!value)
                return -1;
            if (turned) {
                /* turned a quarter anticlockwise around its anchor, reading upwards */
                double ax = vx + BASELINE * FS_SMALL, ay = v < 0 ? y1 + 4 : y1 - 4;
                if (text_at(b, "chart-value", ax, ay) || buf_puts(b, " transform=\"rotate(-90 ") ||
                    num(b, ax) || buf_putc(b, ' ') || num(b, ay) ||
                    buf_printf(b, ")\" text-anchor=\"%s\" font-size=\"%d\">",
                               v < 0 ? "end" : "start", FS_SMALL))
                    return -1;
            } else if (text_at(b, "chart-value", vx, v < 0 ? y1 + 4 + FS_SMALL : y1 - 4) ||
                       buf_printf(b, " text-anchor=\"middle\" font-size=\"%d\">", FS_SMALL)) {
                return -1;
            }
            if (esc(b, value) || buf_puts(b, "</text>\n"))
                return -1;
        }
        if (buf_puts(b, "</g>\n"))
            return -1;
    }
    return buf_puts(b, "</svg>\n");
}

static int id_ok(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > CHART_ID_MAX)
        return 0;
    return strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == n;
}

int chart_bars(struct buf *out, const struct chart_opts *o, const struct chart_series *series,
               int nseries, const char *const *labels, int ncat)
{
    if (!out || nseries < 1 || nseries > CHART_MAX_SERIES || ncat < 0 ||
        ncat > CHART_MAX_CATEGORIES || (ncat > 0 && !series))
        return -1;
    struct chart c = {
        .b = out,
        .o = o,
        .series = series,
        .nseries = nseries,
        .labels = labels,
        .ncat = ncat,
        .id = o && o->id && *o->id ? o->id : "chart",
        .unit = o && o->unit ? o->unit : "",
    };
    if (!id_ok(c.id))
        return -1;
    int width = o && o->width ? o->width : CHART_DEFAULT_WIDTH;
    if (width < CHART_MIN_WIDTH)
        width = CHART_MIN_WIDTH;
    if (width > CHART_MAX_WIDTH)
        width = CHART_MAX_WIDTH;
    c.w = width;

    int64_t lo = 0, hi = 0;
    for (int s = 0; s < nseries && ncat > 0; s++) {
        if (!series[s].values)
            return -1;
        for (int i = 0; i < ncat; i++) {
            int64_t v = series[s].values[i];
            if (v > CHART_VALUE_MAX || v < -CHART_VALUE_MAX)
                return -1;
            if (v < lo)
                lo = v;
            if (v > hi)
                hi = v;
            double n = (double)(int_chars(v) + chars_of(c.unit));
            if (n > c.cmax)
                c.cmax = n;
        }
    }

    size_t start = out->len;
    buf_init(&c.tmp, 0);
    int rc;
    if (lo == 0 && hi == 0) {
        rc = render_empty(&c);
    } else {
        c.lo = lo;
        c.hi = hi;
        c.nticks = chart_ticks(lo, hi, c.ticks);
        rc = o && o->orient == CHART_VERTICAL ? render_vertical(&c) : render_horizontal(&c);
    }
    buf_free(&c.tmp);
    if (rc) {
        rc = -1;
        out->len = start;
        if (out->data)
            out->data[start] = 0;
    }
    return rc;
}

/* ---- map levels ---- */

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* The smallest round number >= q: every integer up to 10, then 15, 20, 25, 30, 40, 50, 60,
 * 70, 80, 90 times a power of ten. */
static int64_t round_up(int64_t q)
{
    static const int64_t mant[] = {10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90};
    if (q <= 10)
        return q;
    for (int64_t p = 1; p <= INT64_MAX / 100; p *= 10)
        for (size_t i = 0; i < sizeof mant / sizeof mant[0]; i++)
            if (mant[i] * p >= q)
                return mant[i] * p;
    return q;
}

int chart_map_levels(const int64_t *values, int n, int *levels, int64_t upper[SVGMAP_LEVELS])
{
    int m = 0;
    for (int i = 0; i < n; i++)
        if (values[i] > 0)
            m++;
    int k = 0;
    if (m > 0) {
        int64_t *v = xmalloc((size_t)m * sizeof *v);
        int j = 0;
        for (int i = 0; i < n; i++)
            if (values[i] > 0)
                v[j++] = values[i];
        qsort(v, (size_t)m, sizeof *v, cmp_i64);
        int distinct = 1;
        for (int i = 1; i < m; i++)
            distinct += v[i] != v[i - 1];
        int64_t max = v[m - 1];
        if (distinct <= SVGMAP_LEVELS) {
            for (int i = 0; i < m; i++)
                if (i == 0 || v[i] != v[i - 1])
                    upper[k++] = v[i];
        } else {
            for (int q = 1; q < SVGMAP_LEVELS; q++) {
                /* the value at quantile q / LEVELS, rounded up */
                int at = (int)(((int64_t)q * m + SVGMAP_LEVELS - 1) / SVGMAP_LEVELS) - 1;
                int64_t t = round_up(v[at]);
                if (t >= max)
                    break;
                if (k > 0 && t <= upper[k - 1])
                    continue;
                upper[k++] = t;
            }
            upper[k++] = max;
        }
        free(v);
    }
    for (int i = 0; i < n; i++) {
        levels[i] = 0;
        if (values[i] <= 0)
            continue;
        int l = 0;
        while (l < k - 1 && values[i] > upper[l])
            l++;
        levels[i] = l + 1;
    }
    return k;
}
