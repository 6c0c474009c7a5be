/* chart: server-drawn SVG bar charts for the figures pages and the yearly report, French
 * number formatting, and the spreading of counts into the shading levels of the map. */
#ifndef LANTERNE_CHART_H
#define LANTERNE_CHART_H

#include <stdint.h>

#include "core/buf.h"
#include "view/svgmap.h"

enum {
    CHART_MAX_SERIES = 2,       /* this year and the previous one, side by side */
    CHART_MAX_CATEGORIES = 200, /* more is a table's job, not a chart's */
    CHART_MAX_TICKS = 6,        /* ticks of the value axis, 0 included */
    CHART_DEFAULT_WIDTH = 600,  /* viewBox width when chart_opts.width is 0 */
    CHART_MIN_WIDTH = 240,      /* widths are clamped into [MIN, MAX] */
    CHART_MAX_WIDTH = 2000,
    CHART_ID_MAX = 64,  /* longest id accepted (ASCII letters, digits, - and _) */
    CHART_NUM_MAX = 40, /* bytes chart_format_int may write, NUL included */
};

/* Values beyond ±CHART_VALUE_MAX are refused (a budget in cents of a billion euros is far
 * below it), so the axis arithmetic never overflows. */
#define CHART_VALUE_MAX INT64_C(1000000000000000)

enum chart_orient {
    CHART_HORIZONTAL = 0, /* one row per category, labels on the left: long labels */
    CHART_VERTICAL,       /* one column per category, labels below: months */
};

struct chart_opts {
    const char *id;    /* unique on the page; prefixes the ids of <title> and <desc>.
                        * NULL or "" gives "chart" */
    const char *title; /* accessible name; NULL gives "Graphique" (translated) */
    const char *desc;  /* longer description in <desc>; NULL for none */
    enum chart_orient orient;
    const char *unit; /* suffix of every value, e.g. " €" or " h"; NULL for none */
    int width;        /* viewBox width in user units, 0 = CHART_DEFAULT_WIDTH; the SVG
                       * itself scales with the CSS width (svg.chart: 100%) */
};

struct chart_series {
    const char *name;      /* legend text, e.g. "2025"; NULL gives "Série N" */
    const int64_t *values; /* ncat values, in the order of the labels */
};

/* Appends one inline <svg role="img" class="chart …"> to out: a bar per category and
 * series (<rect class="chart-bar chart-sN"> with a <title> "Label : 12 400 €" child), the
 * value at the end of each bar with French thousands separators (U+202F), a light value
 * axis with 4 to 6 round ticks, a legend when there are two series, and <title id="ID-title">
 * plus <desc id="ID-desc"> named by aria-labelledby. Labels are truncated with "…" when they
 * would not fit (the bar's <title> keeps them whole); every text is XML-escaped, control
 * characters dropped, invalid UTF-8 bytes shown as "?". Colours come from the site's CSS
 * (.chart-s1, .chart-s2…): no style attribute, so a strict CSP holds. All values 0, or ncat
 * 0, gives a small SVG saying "Aucune donnée". Negative values draw leftward (downward)
 * from a zero line. The same input always gives the same bytes.
 * Returns 0, or -1 (out left as it was) when nseries is not 1..CHART_MAX_SERIES, ncat is
 * not 0..CHART_MAX_CATEGORIES, a series has no values, a value passes CHART_VALUE_MAX, the
 * id holds other characters than ASCII letters, digits, '-' and '_' (or is longer than
 * CHART_ID_MAX), or out is full. A NULL labels array or label is drawn as "". */
int chart_bars(struct buf *out, const struct chart_opts *o, const struct chart_series *series,
               int nseries, const char *const *labels, int ncat);

/* Round ticks for an axis covering [min(lo, 0), max(hi, 0)]: a step of 1, 2, 2.5 or 5 times
 * a power of ten (2.5 only from 25 up, ticks stay integers), the first tick <= lo, the last
 * >= hi, 0 among them. Fills ticks[] in increasing order and returns their number: 4 to 6
 * when the range starts at 0 and is at least 3 wide (1 gives 0 1, 2 gives 0 1 2), 3 to 6
 * when it spans both signs; 0 when a bound passes CHART_VALUE_MAX. */
int chart_ticks(int64_t lo, int64_t hi, int64_t ticks[CHART_MAX_TICKS]);

/* Appends v the French way: groups of three digits separated by a narrow no-break space
 * (U+202F), "-" before a negative number: 12400 -> "12 400". Returns 0 or -1 (out full). */
int chart_format_int(struct buf *out, int64_t v);

/* Appends a range of a legend: "1 à 20", or "5" when lo == hi (translated through err_tr),
 * as plain text: a template escapes it like any other value. Returns 0 or -1 (out full, out
 * then left as it was). */
int chart_format_range(struct buf *out, int64_t lo, int64_t hi);

/* Spreads counts into the map's shading levels: levels[i] is 0 when values[i] <= 0, else
 * 1..k where k, the return value, is at most SVGMAP_LEVELS. upper[j] is the highest value
 * of level j + 1 (level j + 1 holds upper[j - 1] + 1 .. upper[j], level 1 starts at 1), so a
 * legend reads "1 à 20", "21 à 50"… through chart_format_range; upper[k - 1] is the largest
 * value. With at most SVGMAP_LEVELS distinct positive values each gets its own level;
 * otherwise the limits are the quintiles rounded up to round numbers (1..10, then 15, 20,
 * 25, 30, 40, 50, 60, 70, 80, 90, 100 and so on), merged when they meet, so every level
 * holds at least one value. Returns 0 when no value is positive (or n <= 0). */
int chart_map_levels(const int64_t *values, int n, int *levels, int64_t upper[SVGMAP_LEVELS]);

#endif
