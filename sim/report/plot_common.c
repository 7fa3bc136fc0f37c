/* Drawing helpers for the report's pictures (plot.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <fontconfig/fontconfig.h>
#include "plot.h"
#include "y90/io.h"

double plot_px(const plot_frame *f, double x) { return f->x0 + (x - f->xmin) / (f->xmax - f->xmin) * f->w; }

double plot_py(const plot_frame *f, double y)
{
    double t = (y - f->ymin) / (f->ymax - f->ymin);
    return f->flip_y ? f->y0 + t * f->h : f->y0 + (1.0 - t) * f->h;
}

double plot_nice_step(double range, int n)
{
    if (!(range > 0)) return 1;
    double raw = range / n, p = pow(10, floor(log10(raw))), m = raw / p;
    return (m < 1.5 ? 1 : m < 3.5 ? 2 : m < 7.5 ? 5 : 10) * p;
}

void plot_text(cairo_t *cr, double x, double y, double size, int align, const char *s)
{
    cairo_text_extents_t e;
    cairo_set_font_size(cr, size);
    cairo_text_extents(cr, s, &e);
    double dx = align == 0 ? -e.width / 2 - e.x_bearing : align < 0 ? -e.width - e.x_bearing : 0;
    cairo_move_to(cr, x + dx, y + e.height / 2);
    cairo_show_text(cr, s);
}

void plot_axes(cairo_t *cr, const plot_frame *f, const char *xlabel, const char *ylabel)
{
    char buf[32];
    cairo_set_source_rgb(cr, 0, 0, 0);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, f->x0, f->y0, f->w, f->h);
    cairo_stroke(cr);
    double sx = plot_nice_step(f->xmax - f->xmin, 6), sy = plot_nice_step(f->ymax - f->ymin, 5);
    for (double x = ceil(f->xmin / sx - 1e-9) * sx; x <= f->xmax + 1e-9 * sx; x += sx) {
        double px = plot_px(f, x), yb = f->y0 + f->h;
        cairo_move_to(cr, px, yb);
        cairo_line_to(cr, px, yb + 4);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%g", fabs(x) < 1e-9 * sx ? 0.0 : x);
        plot_text(cr, px, yb + 12, 10, 0, buf);
    }
    for (double y = ceil(f->ymin / sy - 1e-9) * sy; y <= f->ymax + 1e-9 * sy; y += sy) {
        double py = plot_py(f, y);
        cairo_move_to(cr, f->x0, py);
        cairo_line_to(cr, f->x0 - 4, py);
        cairo_stroke(cr);
        snprintf(buf, sizeof buf, "%g", fabs(y) < 1e-9 * sy ? 0.0 : y);
        plot_text(cr, f->x0 - 6, py, 10, -1, buf);
    }
    if (xlabel) plot_text(cr, f->x0 + f->w / 2, f->y0 + f->h + 28, 11, 0, xlabel);
    if (ylabel) {
        cairo_save(cr);
        cairo_translate(cr, f->x0 - 44, f->y0 + f->h / 2);
        cairo_rotate(cr, -M_PI / 2);
        plot_text(cr, 0, 0, 11, 0, ylabel);
        cairo_restore(cr);
    }
}

void plot_colour(double t, double rgb[3])
{
    static const double stop[6][3] = {{0, 0, 0}, {0.35, 0.05, 0.55}, {0.85, 0.1, 0.15},
                                      {1, 0.55, 0}, {1, 0.95, 0.25}, {1, 1, 1}};
    t = isnan(t) ? 0 : t < 0 ? 0 : t > 1 ? 1 : t;
    double u = t * 5;
    int k = u >= 5 ? 4 : (int)u;
    double w = u - k;
    for (int c = 0; c < 3; c++) rgb[c] = stop[k][c] * (1 - w) + stop[k + 1][c] * w;
}

y90_status plot_save(cairo_surface_t *s, const char *dir, const char *name, FILE *log, y90_error *err)
{
    char path[4096], tmp[4200];
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, name) >= sizeof path)
        return Y90_FAIL(err, Y90_EINPUT, "%s: path too long", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp-%ld", path, (long)getpid());
    cairo_surface_flush(s);
    if (cairo_surface_write_to_png(s, tmp) != CAIRO_STATUS_SUCCESS) {
        remove(tmp);
        return Y90_FAIL(err, Y90_EIO, "%s: cannot write the picture (disk full or no permission?)", path);
    }
    y90_status st = y90_publish(tmp, path, 1, err);
    if (st != Y90_OK) remove(tmp);
    else if (log) fprintf(log, "wrote %s\n", path);
    return st;
}

void plot_release(void)
{
    cairo_debug_reset_static_data(); /* cairo's font and pattern caches */
    FcFini();                        /* fontconfig's configuration, loaded by cairo's first text */
}
