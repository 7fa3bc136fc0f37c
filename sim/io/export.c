/* Exports: reading the quantity to export, temporary names and publishing, the Slicer colour table.
 * The writers are one file per format: export_nifti.c, export_mha.c, export_rtdose.cc. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "y90/export.h"
#include "y90/io.h"

static const char *const quantity_names[] = {"dose", "uncertainty", "labels", "density"};

const char *y90_quantity_name(y90_quantity q)
{
    return (q >= 0 && (size_t)q < sizeof quantity_names / sizeof *quantity_names) ? quantity_names[q] : "unknown";
}

int y90_quantity_from_name(const char *s, y90_quantity *q)
{
    for (size_t i = 0; i < sizeof quantity_names / sizeof *quantity_names; i++)
        if (strcmp(s, quantity_names[i]) == 0) {
            *q = (y90_quantity)i;
            return 0;
        }
    return -1;
}

void y90_volume_free(y90_volume *v)
{
    y90_grid_free(&v->grid);
    free(v->values);
    v->values = NULL;
}

void y90_volume_origin(const y90_volume *v, double origin[3])
{
    for (int a = 0; a < 3; a++) origin[a] = v->grid.lo[a] + 0.5 * v->grid.spacing[a];
}

y90_status y90_volume_read(const char *h5_path, y90_quantity q, y90_volume *v, y90_error *err)
{
    memset(v, 0, sizeof *v);
    v->quantity = q;
    y90_status st = y90_io_read_grid(h5_path, &v->grid, err);
    if (st != Y90_OK) return st;
    size_t n = y90_grid_nvox(&v->grid);
    double *dose = NULL;
    float *unc = NULL;
    switch (q) {
    case Y90_Q_DOSE:
    case Y90_Q_UNCERTAINTY:
        v->name = q == Y90_Q_DOSE ? "dose" : "dose_rel_uncertainty";
        v->units = q == Y90_Q_DOSE ? "Gy" : "1";
        st = y90_io_read_dose(h5_path, n, &dose, q == Y90_Q_UNCERTAINTY ? &unc : NULL, err);
        if (st == Y90_OK && q == Y90_Q_UNCERTAINTY && !unc)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: no dataset /dose_rel_uncertainty (the run had output.uncertainty "
                          "off): nothing to export as --quantity uncertainty", h5_path);
        if (st == Y90_OK && q == Y90_Q_UNCERTAINTY) {
            for (size_t i = 0; i < n; i++) dose[i] = unc[i];
        }
        v->values = dose;
        free(unc);
        break;
    case Y90_Q_DENSITY:
        v->name = "density";
        v->units = "g/cm3";
        v->values = y90_calloc(n, sizeof *v->values, "density", err);
        if (!v->values) st = Y90_ENOMEM;
        for (size_t i = 0; v->values && i < n; i++) v->values[i] = v->grid.density[i];
        break;
    case Y90_Q_LABELS:
        v->name = "labels";
        v->units = "";
        break;
    default:
        st = Y90_FAIL(err, Y90_EINTERNAL, "unknown quantity %d", (int)q);
    }
    if (st != Y90_OK) {
        y90_volume_free(v);
        return st;
    }
    for (size_t i = 0; i < n; i++) {
        double x = v->values ? v->values[i] : v->grid.label[i];
        if (x > v->max) v->max = x;
    }
    return Y90_OK;
}

y90_status y90_export_tmp_name(const char *path, const char *suffix, char *tmp, size_t len, y90_error *err)
{
    if ((size_t)snprintf(tmp, len, "%s.tmp-%ld%s", path, (long)getpid(), suffix) >= len)
        return Y90_FAIL(err, Y90_EINPUT, "%s: path too long", path);
    return Y90_OK;
}

FILE *y90_export_create(const char *path, int force, char *tmp, size_t len, y90_error *err)
{
    if (y90_check_output(path, force, err) != Y90_OK || y90_export_tmp_name(path, "", tmp, len, err) != Y90_OK)
        return NULL;
    errno = 0;
    FILE *f = fopen(tmp, "wb");
    if (!f) Y90_FAIL(err, Y90_EIO, "%s: cannot create %s: %s", path, tmp, strerror(errno));
    return f;
}

y90_status y90_export_close(FILE *f, const char *tmp, const char *path, int force, int failed, y90_error *err)
{
    y90_status st = Y90_OK;
    failed |= ferror(f);
    if (fclose(f) != 0 || failed) st = Y90_FAIL(err, Y90_EIO, "%s: cannot write %s (disk full?)", path, tmp);
    return y90_export_finish(tmp, path, force, st, err);
}

y90_status y90_export_finish(const char *tmp, const char *path, int force, y90_status st, y90_error *err)
{
    if (st == Y90_OK) {
        st = y90_publish(tmp, path, force, err);
        if (st == Y90_EINPUT) return st; /* the finished file is kept under tmp, and the message says so */
    }
    if (st != Y90_OK) remove(tmp);
    return st;
}

/* Colour of a structure by what it is (0-255): liver browns, tumours reds and yellows, lungs blue. Structures of
 * the same kind are told apart by a small step per index. */
static void kind_colour(const y90_structure *s, int index, int rgba[4])
{
    static const int base[][3] = {
        [Y90_KIND_OUTSIDE] = {0, 0, 0},       [Y90_KIND_BODY] = {241, 214, 145},
        [Y90_KIND_LUNG] = {80, 150, 230},     [Y90_KIND_LIVER_NORMAL] = {160, 90, 50},
        [Y90_KIND_TUMOR_VIABLE] = {230, 40, 40}, [Y90_KIND_TUMOR_NECROTIC] = {250, 220, 80},
        [Y90_KIND_MEDIUM] = {150, 150, 150}};
    int k = (s->kind >= 0 && (size_t)s->kind < sizeof base / sizeof *base) ? (int)s->kind : Y90_KIND_MEDIUM;
    int step = (index % 5) * 10 - 20;
    for (int c = 0; c < 3; c++) {
        int x = base[k][c] == 0 && k == Y90_KIND_OUTSIDE ? 0 : base[k][c] + step;
        rgba[c] = x < 0 ? 0 : x > 255 ? 255 : x;
    }
    rgba[3] = k == Y90_KIND_OUTSIDE ? 0 : 255;
}

y90_status y90_export_colour_table(const y90_volume *v, const char *path, int force, y90_error *err)
{
    char tmp[4096];
    FILE *f = y90_export_create(path, force, tmp, sizeof tmp, err);
    if (!f) return err ? err->code : Y90_EIO;
    /* 3D Slicer's colour table file (vtkMRMLColorTableStorageNode): comments, then "index name R G B A" */
    fprintf(f, "# Color table file %s\n# %d values\n# y90mc structures (labels of the HDF5 file); kind and lobe in "
            "the HDF5 attributes /labels kinds, lobes\n", path, v->grid.nstructures);
    for (int i = 0; i < v->grid.nstructures; i++) {
        int c[4];
        kind_colour(&v->grid.structures[i], i, c);
        fprintf(f, "%d %s %d %d %d %d\n", i, v->grid.structures[i].name, c[0], c[1], c[2], c[3]);
    }
    return y90_export_close(f, tmp, path, force, 0, err);
}
