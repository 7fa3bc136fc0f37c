/* The XDMF sidecar of an HDF5 output: an XML file next to OUT.h5 that describes its voxel arrays to ParaView and
 * VisIt (XDMF 3, read by their built-in readers, no plugin). It points at OUT.h5 by its file name only, so the
 * pair can be moved together.
 *
 * The grid is a 3DCoRectMesh whose points are the voxel corners and whose cells are the voxels, so the arrays are
 * cell data: Topology Dimensions are the point counts (nz+1 ny+1 nx+1) and the cell arrays nz ny nx. XDMF lists
 * the dimensions, the origin and the spacing slowest axis first (z y x); the origin is the lower corner of voxel
 * (0,0,0) (the HDF5 origin_mm, the voxel centre, minus half a voxel), in the LPS frame of include/y90/grid.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/io.h"

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int y90_xdmf_path(const char *h5_path, char *buf, size_t len)
{
    static const char *const ext[] = {".h5", ".hdf5", ".hdf"};
    size_t n = strlen(h5_path);
    for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
        size_t k = strlen(ext[i]);
        if (n > k && strcmp(h5_path + n - k, ext[i]) == 0) {
            n -= k;
            break;
        }
    }
    return (size_t)snprintf(buf, len, "%.*s.xdmf", (int)n, h5_path) < len ? 0 : -1;
}

y90_status y90_check_output_h5(const char *path, int force, y90_error *err)
{
    char x[4096];
    y90_status st = y90_check_output(path, force, err);
    if (st != Y90_OK) return st;
    if (y90_xdmf_path(path, x, sizeof x) != 0) return Y90_FAIL(err, Y90_EINPUT, "%s: path too long", path);
    return y90_check_output(x, 1, err); /* replaced whenever its HDF5 file is written: only folder checks */
}

/* Text with the XML special characters escaped (file names may hold them). */
static void put_xml(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '&') fputs("&amp;", f);
        else if (*s == '<') fputs("&lt;", f);
        else if (*s == '>') fputs("&gt;", f);
        else if (*s == '"') fputs("&quot;", f);
        else fputc(*s, f);
    }
}

/* One cell-centred array: name, number type and precision as XDMF spells them, the dataset in the HDF5 file. */
static void attribute(FILE *f, const y90_grid *g, const char *h5name, const char *name, const char *type, int prec)
{
    fprintf(f,
            "      <Attribute Name=\"%s\" AttributeType=\"Scalar\" Center=\"Cell\">\n"
            "        <DataItem Dimensions=\"%d %d %d\" NumberType=\"%s\" Precision=\"%d\" Format=\"HDF\">",
            name, g->nz, g->ny, g->nx, type, prec);
    put_xml(f, h5name);
    fprintf(f, ":/%s</DataItem>\n      </Attribute>\n", name);
}

static void write_xml(FILE *f, const char *h5name, const y90_grid *g, int dose, int uncertainty,
                      const y90_io_array *extra, int nextra)
{
    fprintf(f,
            "<?xml version=\"1.0\" ?>\n"
            "<!-- y90mc: the voxel arrays of the HDF5 file named below (cell data). Frame: DICOM LPS, mm (+x patient left, +y posterior,\n"
            "     +z superior). XDMF orders dimensions, origin and spacing z y x; the origin is the lower corner of\n"
            "     voxel (0,0,0). Units: dose Gy, dose_rel_uncertainty 1 (1 sigma), density g/cm3; labels and\n"
            "     materials index the names stored as attributes in the HDF5 file. -->\n"
            "<Xdmf Version=\"3.0\">\n"
            "  <Domain>\n"
            "    <Grid Name=\"y90mc\" GridType=\"Uniform\">\n"
            "      <Topology TopologyType=\"3DCoRectMesh\" Dimensions=\"%d %d %d\"/>\n"
            "      <Geometry GeometryType=\"ORIGIN_DXDYDZ\">\n"
            "        <DataItem Name=\"Origin\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
            "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n"
            "        <DataItem Name=\"Spacing\" Dimensions=\"3\" NumberType=\"Float\" Precision=\"8\" "
            "Format=\"XML\">%.17g %.17g %.17g</DataItem>\n"
            "      </Geometry>\n",
            g->nz + 1, g->ny + 1, g->nx + 1, g->lo[2], g->lo[1], g->lo[0], g->spacing[2], g->spacing[1],
            g->spacing[0]);
    if (dose) attribute(f, g, h5name, "dose", "Float", 8);
    if (uncertainty) attribute(f, g, h5name, "dose_rel_uncertainty", "Float", 4);
    attribute(f, g, h5name, "labels", "UChar", 1);
    attribute(f, g, h5name, "materials", "UChar", 1);
    attribute(f, g, h5name, "density", "Float", 4);
    for (int i = 0; i < nextra; i++) /* extra arrays such as compare's /dose_difference; names without the '/' */
        attribute(f, g, h5name, extra[i].name + (extra[i].name[0] == '/'), "Float", extra[i].f64 ? 8 : 4);
    fprintf(f, "    </Grid>\n  </Domain>\n</Xdmf>\n");
}

y90_status y90_xdmf_write(const char *h5_path, const y90_grid *g, int dose, int uncertainty,
                          const y90_io_array *extra, int nextra, y90_error *err)
{
    char x[4096];
    if (y90_xdmf_path(h5_path, x, sizeof x) != 0) return Y90_FAIL(err, Y90_EINPUT, "%s: path too long", h5_path);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f) return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory for the XDMF text", x);
    write_xml(f, base_name(h5_path), g, dose, uncertainty, extra, nextra);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad || !text) {
        free(text);
        return Y90_FAIL(err, Y90_ENOMEM, "%s: out of memory for the XDMF text", x);
    }
    /* replaces an older sidecar: it follows its HDF5 file, which the caller has just put in place */
    y90_status st = y90_write_atomic(x, text, len, 1, err);
    free(text);
    return st;
}
