/* The cumulative DVH pictures: every structure and group (dvh.png) and every tumour (dvh_tumours.png), with the
 * treated-liver prescription and the tumour target marked. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include "plot.h"
#include "report_internal.h"

#define W 1100
#define H 620

static const double palette[10][3] = {{0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.17, 0.63, 0.17}, {0.84, 0.15, 0.16},
                                      {0.58, 0.40, 0.74}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
                                      {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81}};

/* Dose axis end: where every drawn curve has fallen below 0.5 % of its volume, and past the marked doses. */
static double dose_axis_max(const y90_report_dvh *t, const int *draw, double mark)
{
    size_t jmax = 1;
    for (int r = 0; r < t->nrows; r++) {
        if (!draw[r]) continue;
        const double *c = t->cum + (size_t)r * (t->nb + 1);
        for (size_t j = 0; j <= t->nb; j++)
            if (c[j] >= 0.5 && j > jmax) jmax = j;
    }
    double x = fmax((double)(jmax + 1) * t->step, 1.15 * mark);
    double s = plot_nice_step(x, 8);
    return ceil(x / s) * s;
}

static void mark_dose(cairo_t *cr, const plot_frame *f, double gy, const char *what, double rgb0, double rgb1,
                      double rgb2, double ylab)
{
    char buf[64];
    if (!(gy > 0) || gy > f->xmax) return;
    double x = plot_px(f, gy);
    const double dash[] = {6, 4};
    cairo_set_source_rgb(cr, rgb0, rgb1, rgb2);
    cairo_set_line_width(cr, 1.5);
    cairo_set_dash(cr, dash, 2, 0);
    cairo_move_to(cr, x, f->y0);
    cairo_line_to(cr, x, f->y0 + f->h);
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    snprintf(buf, sizeof buf, "%s %g Gy", what, gy);
    plot_text(cr, x + 4, f->y0 + ylab, 11, 1, buf);
}

static y90_status draw_dvh(const y90_report *rep, const y90_report_dvh *t, const int *draw, const char *title,
                           const char *dir, const char *name, FILE *log, y90_error *err)
{
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double mark = fmax(isnan(rep->prescription_gy) ? 0 : rep->prescription_gy, rep->opt.tumour_target_gy);
    plot_frame f = {80, 50, 760, 500, 0, dose_axis_max(t, draw, mark), 0, 100, 0};
    cairo_set_source_rgb(cr, 0, 0, 0);
    plot_text(cr, f.x0 + f.w / 2, 22, 14, 0, title);
    cairo_set_source_rgb(cr, 0.9, 0.9, 0.9);
    for (int k = 1; k < 10; k++) {
        cairo_move_to(cr, f.x0, plot_py(&f, 10.0 * k));
        cairo_line_to(cr, f.x0 + f.w, plot_py(&f, 10.0 * k));
    }
    cairo_stroke(cr);
    int shown = 0;
    for (int r = 0; r < t->nrows; r++) {
        if (!draw[r]) continue;
        const double *c = t->cum + (size_t)r * (t->nb + 1), *rgb = palette[shown % 10];
        const double dash[] = {8, 4};
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_set_line_width(cr, 2);
        cairo_set_dash(cr, dash, shown / 10 % 2 ? 2 : 0, 0);
        cairo_move_to(cr, plot_px(&f, 0), plot_py(&f, c[0]));
        for (size_t j = 1; j <= t->nb && (double)j * t->step <= f.xmax; j++)
            cairo_line_to(cr, plot_px(&f, (double)j * t->step), plot_py(&f, c[j]));
        cairo_stroke(cr);
        double ly = f.y0 + 10 + 18 * shown;
        cairo_move_to(cr, f.x0 + f.w + 20, ly);
        cairo_line_to(cr, f.x0 + f.w + 50, ly);
        cairo_stroke(cr);
        cairo_set_dash(cr, NULL, 0, 0);
        cairo_set_source_rgb(cr, 0, 0, 0);
        plot_text(cr, f.x0 + f.w + 56, ly, 11, 1, t->names[r]);
        shown++;
    }
    mark_dose(cr, &f, rep->prescription_gy, "prescription", 0, 0, 0, 12);
    mark_dose(cr, &f, rep->opt.tumour_target_gy, "tumour target", 0.8, 0, 0, 30);
    plot_axes(cr, &f, "dose (Gy)", "volume with at least this dose (%)");
    y90_status st = plot_save(s, dir, name, log, err);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}

y90_status y90_plot_dvhs(const y90_report *rep, const y90_report_dvh *t, const char *dir, FILE *log, y90_error *err)
{
    int draw[512 + 3 * 256] = {0}, any = 0;
    char title[1200];
    if (t->nrows > (int)(sizeof draw / sizeof *draw))
        return Y90_FAIL(err, Y90_EINPUT, "%s: %d rows: too many for one picture", rep->prov.input, t->nrows);
    for (int r = 0; r < t->nrows; r++) draw[r] = t->tumour[r] == 0;
    snprintf(title, sizeof title, "Cumulative DVH: %s", rep->prov.input);
    y90_status st = draw_dvh(rep, t, draw, title, dir, "dvh.png", log, err);
    for (int r = 0; r < t->nrows; r++) { /* each tumour whole, and the viable tumour group */
        char want[Y90_NAME_LEN];
        snprintf(want, sizeof want, "tumour_%d", t->tumour[r]);
        draw[r] = (t->tumour[r] && !strcmp(t->names[r], want)) || !strcmp(t->names[r], "tumour_viable");
        any |= t->tumour[r] != 0;
    }
    snprintf(title, sizeof title, "Cumulative DVH per tumour (viable + necrotic): %s", rep->prov.input);
    if (st == Y90_OK && any) st = draw_dvh(rep, t, draw, title, dir, "dvh_tumours.png", log, err);
    return st;
}
