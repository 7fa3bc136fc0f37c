/* Drawing helpers for the report's pictures (cairo): plot frames with axes, the dose colour map, saving a PNG. */
#ifndef Y90_PLOT_H
#define Y90_PLOT_H

#include <cairo.h>
#include <stdio.h>
#include "y90/common.h"

/* A data rectangle [xmin, xmax] x [ymin, ymax] drawn into the pixel box (x0, y0, w, h); flip_y = 1 puts ymin at the
 * top (image rows), 0 at the bottom (graphs). */
typedef struct {
    double x0, y0, w, h;
    double xmin, xmax, ymin, ymax;
    int flip_y;
} plot_frame;

double plot_px(const plot_frame *f, double x);
double plot_py(const plot_frame *f, double y);
/* Ticks at a round step, numbers and the axis titles; a frame around the box. */
void plot_axes(cairo_t *cr, const plot_frame *f, const char *xlabel, const char *ylabel);
/* Text centred (align 0), left-aligned (1) or right-aligned (-1) at (x, y). */
void plot_text(cairo_t *cr, double x, double y, double size, int align, const char *s);
/* Dose colour map, t in [0, 1] (black, purple, red, orange, yellow, white: brightness rises with dose). */
void plot_colour(double t, double rgb[3]);
/* A round tick step giving about n ticks over range. */
double plot_nice_step(double range, int n);
/* Write surface as dir/name.png (through a temporary name, renamed when complete). */
y90_status plot_save(cairo_surface_t *s, const char *dir, const char *name, FILE *log, y90_error *err);
/* Release cairo's and fontconfig's caches (after the last picture), so that a memory checker sees no leak. */
void plot_release(void);

#endif
