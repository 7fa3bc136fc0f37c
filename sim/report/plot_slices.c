/* Dose pictures through the largest tumour: three orthogonal slices with structure contours, a colour bar in Gy
 * and axes in mm with the patient directions (DICOM LPS: +x the patient's left, +y posterior, +z superior;
 * radiological display: the patient's right on the left of axial and coronal views, anterior up in axial, superior
 * up in coronal and sagittal, anterior on the left of sagittal), and the dose profile along x through the tumour
 * centre with its 1-sigma band. Also y90_report_write_png, which draws every picture. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "plot.h"
#include "report_internal.h"

y90_status y90_plot_dvhs(const y90_report *rep, const y90_report_dvh *t, const char *dir, FILE *log, y90_error *err);

/* A view: the two in-plane axes (u horizontal, v vertical) and the fixed axis w at index iw. */
typedef struct {
    int u, v, w, iw;
    int v_up;                       /* 1: v increases upward (superior up); 0: downward (posterior down) */
    const char *title, *lo_u, *hi_u, *lo_v, *hi_v; /* direction letters at the low and high ends */
} view;

static size_t vox(const y90_grid *g, const int ijk[3]) { return y90_grid_index(g, ijk[0], ijk[1], ijk[2]); }

/* Outline class of a voxel: kind, so that lobes of the same tissue are not outlined against each other. */
static int outline_class(const y90_grid *g, size_t i) { return (int)g->structures[g->label[i]].kind; }

static void kind_colour(int kind, double rgb[3])
{
    static const double c[7][3] = {{0, 0, 0}, {0.75, 0.75, 0.75}, {0.35, 0.55, 1.0}, {0.2, 0.9, 0.2},
                                   {0.0, 1.0, 1.0}, {1.0, 0.2, 1.0}, {0.9, 0.9, 0.9}};
    memcpy(rgb, c[kind >= 0 && kind < 7 ? kind : 6], sizeof c[0]);
}

static double axis_lo(const y90_grid *g, int a) { return g->lo[a]; }
static double axis_hi(const y90_grid *g, const int n[3], int a) { return g->lo[a] + n[a] * g->spacing[a]; }

static void draw_view(cairo_t *cr, const y90_report_dvh *t, const view *vw, double x0, double y0, double scale,
                      double dmax, const int centre[3])
{
    const y90_grid *g = &t->g;
    int n[3] = {g->nx, g->ny, g->nz}, nu = n[vw->u], nv = n[vw->v], ijk[3];
    double umin = axis_lo(g, vw->u), umax = axis_hi(g, n, vw->u), vmin = axis_lo(g, vw->v), vmax = axis_hi(g, n, vw->v);
    plot_frame f = {x0, y0, (umax - umin) * scale, (vmax - vmin) * scale, umin, umax, vmin, vmax, !vw->v_up};
    cairo_surface_t *img = cairo_image_surface_create(CAIRO_FORMAT_RGB24, nu, nv);
    unsigned char *px = cairo_image_surface_get_data(img);
    int stride = cairo_image_surface_get_stride(img);
    ijk[vw->w] = vw->iw;
    for (int b = 0; b < nv; b++)
        for (int a = 0; a < nu; a++) {
            ijk[vw->u] = a;
            ijk[vw->v] = b;
            double rgb[3];
            plot_colour(t->dose[vox(g, ijk)] / dmax, rgb);
            int row = vw->v_up ? nv - 1 - b : b;
            uint32_t *p = (uint32_t *)(px + (size_t)row * (size_t)stride) + a;
            *p = (uint32_t)(255 * rgb[0]) << 16 | (uint32_t)(255 * rgb[1]) << 8 | (uint32_t)(255 * rgb[2]);
        }
    cairo_surface_mark_dirty(img);
    cairo_save(cr);
    cairo_translate(cr, f.x0, f.y0);
    cairo_scale(cr, f.w / nu, f.h / nv);
    cairo_set_source_surface(cr, img, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
    cairo_paint(cr);
    cairo_restore(cr);
    cairo_surface_destroy(img);
    /* contours: a segment on every voxel edge between two outline classes */
    cairo_set_line_width(cr, 1.6);
    for (int b = 0; b < nv; b++)
        for (int a = 0; a < nu; a++) {
            ijk[vw->u] = a;
            ijk[vw->v] = b;
            int c0 = outline_class(g, vox(g, ijk));
            for (int d = 0; d < 2; d++) {
                if ((d == 0 && a + 1 >= nu) || (d == 1 && b + 1 >= nv)) continue;
                int q[3] = {ijk[0], ijk[1], ijk[2]};
                q[d == 0 ? vw->u : vw->v]++;
                int c1 = outline_class(g, vox(g, q));
                if (c1 == c0) continue;
                double rgb[3];
                kind_colour(c0 > c1 ? c0 : c1, rgb);
                cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
                double ua = umin + (a + 1) * g->spacing[vw->u], va = vmin + (b + 1) * g->spacing[vw->v];
                if (d == 0) {
                    cairo_move_to(cr, plot_px(&f, ua), plot_py(&f, va - g->spacing[vw->v]));
                    cairo_line_to(cr, plot_px(&f, ua), plot_py(&f, va));
                } else {
                    cairo_move_to(cr, plot_px(&f, ua - g->spacing[vw->u]), plot_py(&f, va));
                    cairo_line_to(cr, plot_px(&f, ua), plot_py(&f, va));
                }
                cairo_stroke(cr);
            }
        }
    /* cross-hair through the tumour centre (the profile runs along x) */
    const double dash[] = {4, 4};
    cairo_set_source_rgba(cr, 1, 1, 1, 0.7);
    cairo_set_line_width(cr, 1);
    cairo_set_dash(cr, dash, 2, 0);
    double cu = umin + (centre[vw->u] + 0.5) * g->spacing[vw->u], cv = vmin + (centre[vw->v] + 0.5) * g->spacing[vw->v];
    cairo_move_to(cr, plot_px(&f, cu), f.y0);
    cairo_line_to(cr, plot_px(&f, cu), f.y0 + f.h);
    cairo_move_to(cr, f.x0, plot_py(&f, cv));
    cairo_line_to(cr, f.x0 + f.w, plot_py(&f, cv));
    cairo_stroke(cr);
    cairo_set_dash(cr, NULL, 0, 0);
    static const char *const ax[3] = {"x (mm)", "y (mm)", "z (mm)"};
    char title[96];
    double wmm = g->lo[vw->w] + (vw->iw + 0.5) * g->spacing[vw->w];
    snprintf(title, sizeof title, "%s, %c = %.1f mm", vw->title, "xyz"[vw->w], wmm);
    plot_axes(cr, &f, ax[vw->u], ax[vw->v]);
    cairo_set_source_rgb(cr, 0, 0, 0);
    plot_text(cr, f.x0 + f.w / 2, f.y0 - 28, 13, 0, title);
    /* direction letters inside the image corners' mid-edges */
    cairo_set_source_rgb(cr, 1, 1, 1);
    plot_text(cr, f.x0 + 10, f.y0 + f.h / 2, 14, 0, vw->lo_u);
    plot_text(cr, f.x0 + f.w - 10, f.y0 + f.h / 2, 14, 0, vw->hi_u);
    plot_text(cr, f.x0 + f.w / 2, f.y0 + 10, 14, 0, vw->v_up ? vw->hi_v : vw->lo_v);
    plot_text(cr, f.x0 + f.w / 2, f.y0 + f.h - 10, 14, 0, vw->v_up ? vw->lo_v : vw->hi_v);
}

static void colour_bar(cairo_t *cr, double x0, double y0, double h, double dmax)
{
    for (int k = 0; k < (int)h; k++) {
        double rgb[3];
        plot_colour(1.0 - k / h, rgb);
        cairo_set_source_rgb(cr, rgb[0], rgb[1], rgb[2]);
        cairo_rectangle(cr, x0, y0 + k, 20, 1);
        cairo_fill(cr);
    }
    plot_frame f = {x0 + 20, y0, 0.0001, h, 0, 1, 0, dmax, 0};
    cairo_set_source_rgb(cr, 0, 0, 0);
    double s = plot_nice_step(dmax, 6);
    char buf[32];
    for (double d = 0; d <= dmax + 1e-9 * s; d += s) {
        snprintf(buf, sizeof buf, "%g", d);
        plot_text(cr, x0 + 26, plot_py(&f, d), 10, 1, buf);
    }
    plot_text(cr, x0 + 10, y0 - 16, 11, 0, "Gy");
    snprintf(buf, sizeof buf, "(>= %g white)", dmax);
    plot_text(cr, x0 + 10, y0 + h + 14, 9, 0, buf);
}

/* Colour scale top: the 99th percentile of the doses > 0 in the three slices, rounded up. */
static double colour_max(const y90_report_dvh *t, const int c[3])
{
    const y90_grid *g = &t->g;
    size_t n = 0, cap = (size_t)g->nx * g->ny + (size_t)g->nx * g->nz + (size_t)g->ny * g->nz;
    double *v = malloc(cap * sizeof *v);
    if (!v) return 1;
    for (int z = 0; z < g->nz; z++)
        for (int y = 0; y < g->ny; y++)
            for (int x = 0; x < g->nx; x++)
                if (x == c[0] || y == c[1] || z == c[2]) {
                    double d = t->dose[y90_grid_index(g, x, y, z)];
                    if (d > 0 && n < cap) v[n++] = d;
                }
    double m = 1;
    if (n) {
        qsort(v, n, sizeof *v, y90_report_cmp_double);
        m = v[(size_t)(0.99 * (double)(n - 1))];
    }
    free(v);
    double s = plot_nice_step(m, 5);
    return fmax(s, ceil(m / s) * s);
}

static y90_status draw_slices(const y90_report *rep, const y90_report_dvh *t, const int c[3], const char *dir,
                              FILE *log, y90_error *err)
{
    const y90_grid *g = &t->g;
    const view views[3] = {{0, 1, 2, c[2], 0, "axial", "R", "L", "A", "P"},
                           {0, 2, 1, c[1], 1, "coronal", "R", "L", "I", "S"},
                           {1, 2, 0, c[0], 1, "sagittal", "A", "P", "I", "S"}};
    double ext[3] = {g->nx * g->spacing[0], g->ny * g->spacing[1], g->nz * g->spacing[2]};
    double hmax = fmax(ext[1], ext[2]), scale = fmin(540.0 / hmax, 1300.0 / (2 * ext[0] + ext[1])); /* px per mm */
    double width = 90 + scale * (ext[0] + ext[0] + ext[1]) + 2 * 90 + 140;
    int W = (int)width, H = (int)(scale * hmax + 170);
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, W, H);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double dmax = colour_max(t, c), x = 80;
    for (int k = 0; k < 3; k++) {
        draw_view(cr, t, &views[k], x, 70, scale, dmax, c);
        x += scale * ext[views[k].u] + 90;
    }
    colour_bar(cr, x - 40, 70, scale * hmax, dmax);
    char title[256];
    cairo_set_source_rgb(cr, 0, 0, 0);
    if (rep->largest_tumour)
        snprintf(title, sizeof title, "Dose through the largest tumour (tumour_%d, centre %.1f, %.1f, %.1f mm LPS); "
                 "contours: body grey, lung blue, liver green, viable tumour cyan, necrotic core magenta",
                 rep->largest_tumour, rep->largest_tumour_centre_mm[0], rep->largest_tumour_centre_mm[1],
                 rep->largest_tumour_centre_mm[2]);
    else
        snprintf(title, sizeof title, "Dose through the hottest voxel (no tumours in the file)");
    plot_text(cr, W / 2.0, 16, 12, 0, title);
    y90_status st = plot_save(s, dir, "slices.png", log, err);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}

/* Dose along x through the centre, with the 1-sigma band and the tumour voxels shaded. */
static y90_status draw_profile(const y90_report *rep, const y90_report_dvh *t, const int c[3], const char *dir,
                               FILE *log, y90_error *err)
{
    const y90_grid *g = &t->g;
    cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1000, 520);
    cairo_t *cr = cairo_create(s);
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    double top = 0;
    for (int x = 0; x < g->nx; x++) {
        size_t i = y90_grid_index(g, x, c[1], c[2]);
        double u = t->unc ? t->unc[i] : 0;
        top = fmax(top, t->dose[i] * (1 + u));
    }
    top *= 1.05; /* headroom above the highest band */
    double sy = plot_nice_step(top > 0 ? top : 1, 6);
    plot_frame f = {90, 50, 860, 400, g->lo[0], g->lo[0] + g->nx * g->spacing[0], 0, ceil((top > 0 ? top : 1) / sy) * sy, 0};
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE); /* adjacent voxel rectangles without seams */
    for (int x = 0; x < g->nx; x++) { /* tumour voxels shaded */
        y90_kind k = g->structures[g->label[y90_grid_index(g, x, c[1], c[2])]].kind;
        if (k != Y90_KIND_TUMOR_VIABLE && k != Y90_KIND_TUMOR_NECROTIC) continue;
        if (k == Y90_KIND_TUMOR_VIABLE) cairo_set_source_rgb(cr, 1, 0.85, 1);
        else cairo_set_source_rgb(cr, 0.85, 0.9, 1);
        double a = plot_px(&f, g->lo[0] + x * g->spacing[0]), b = plot_px(&f, g->lo[0] + (x + 1) * g->spacing[0]);
        cairo_rectangle(cr, a, f.y0, b - a, f.h);
        cairo_fill(cr);
    }
    cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
    for (int pass = 0; pass < 2; pass++) { /* band (dose +- 1 sigma) as a filled polygon, then the dose */
        for (int x = 0; x < g->nx; x++) {
            size_t i = y90_grid_index(g, x, c[1], c[2]);
            double xm = g->lo[0] + (x + 0.5) * g->spacing[0], u = t->unc ? t->unc[i] : 0;
            double y = pass ? t->dose[i] : t->dose[i] * (1 + u);
            if (x == 0) cairo_move_to(cr, plot_px(&f, xm), plot_py(&f, y));
            else cairo_line_to(cr, plot_px(&f, xm), plot_py(&f, y));
        }
        if (!pass) {
            for (int x = g->nx - 1; x >= 0; x--) {
                size_t i = y90_grid_index(g, x, c[1], c[2]);
                double xm = g->lo[0] + (x + 0.5) * g->spacing[0], u = t->unc ? t->unc[i] : 0;
                cairo_line_to(cr, plot_px(&f, xm), plot_py(&f, fmax(0, t->dose[i] * (1 - u))));
            }
            cairo_close_path(cr);
            cairo_set_source_rgba(cr, 0.12, 0.47, 0.71, 0.35);
            cairo_fill(cr);
        } else {
            cairo_set_source_rgb(cr, 0.05, 0.2, 0.5);
            cairo_set_line_width(cr, 1.5);
            cairo_stroke(cr);
        }
    }
    plot_axes(cr, &f, "x (mm): patient's right  <-  ->  patient's left", "dose (Gy)");
    char title[256];
    snprintf(title, sizeof title, "Dose profile along x through %s (y = %.1f mm, z = %.1f mm)",
             rep->largest_tumour ? "the largest tumour's centre" : "the hottest voxel",
             g->lo[1] + (c[1] + 0.5) * g->spacing[1], g->lo[2] + (c[2] + 0.5) * g->spacing[2]);
    cairo_set_source_rgb(cr, 0, 0, 0);
    plot_text(cr, 500, 14, 13, 0, title);
    plot_text(cr, 500, 32, 11, 0, t->unc ? "band: dose +- 1 sigma statistical uncertainty; shaded: viable (pink) and "
                                           "necrotic (blue) tumour voxels"
                                         : "no uncertainty in the file; shaded: viable (pink) and necrotic (blue) tumour voxels");
    y90_status st = plot_save(s, dir, "profile.png", log, err);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
    return st;
}

/* Voxel of the largest tumour's centre, or of the hottest voxel. */
static void centre_voxel(const y90_report *rep, const y90_report_dvh *t, int c[3])
{
    const y90_grid *g = &t->g;
    size_t n = y90_grid_nvox(g), best = 0;
    if (rep->largest_tumour) {
        for (int a = 0; a < 3; a++) {
            int nmax = a == 0 ? g->nx : a == 1 ? g->ny : g->nz;
            int k = (int)floor((rep->largest_tumour_centre_mm[a] - g->lo[a]) / g->spacing[a]);
            c[a] = k < 0 ? 0 : k >= nmax ? nmax - 1 : k;
        }
        return;
    }
    for (size_t i = 1; i < n; i++)
        if (t->dose[i] > t->dose[best]) best = i;
    c[0] = (int)(best % (size_t)g->nx);
    c[1] = (int)(best / (size_t)g->nx % (size_t)g->ny);
    c[2] = (int)(best / ((size_t)g->nx * g->ny));
}

y90_status y90_report_write_png(const char *h5path, const y90_report *r, const char *dir, FILE *log, y90_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        if (mkdir(dir, 0777) != 0)
            return Y90_FAIL(err, Y90_EIO, "%s: cannot create the picture folder: %s", dir, strerror(errno));
    } else if (!S_ISDIR(sb.st_mode))
        return Y90_FAIL(err, Y90_EINPUT, "--png %s: exists and is not a folder", dir);
    y90_report_dvh t;
    y90_status st = y90_report_dvh_table(h5path, &t, err);
    if (st != Y90_OK) return st;
    int c[3];
    centre_voxel(r, &t, c);
    st = y90_plot_dvhs(r, &t, dir, log, err);
    if (st == Y90_OK) st = draw_slices(r, &t, c, dir, log, err);
    if (st == Y90_OK) st = draw_profile(r, &t, c, dir, log, err);
    y90_report_dvh_free(&t);
    plot_release();
    return st;
}
