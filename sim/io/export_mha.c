/* MetaImage export (.mha, ITK's format: a text header and the raw voxels in one file). MetaImage is in LPS like
 * the HDF5 file: Offset is the LPS centre of voxel (0,0,0) and the TransformMatrix the identity; ITK writes
 * AnatomicalOrientation RAI for that direction (the letters name where each axis comes from). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/export.h"
#include "y90/io.h"

static int write_voxels(FILE *f, const y90_volume *v)
{
    size_t n = y90_grid_nvox(&v->grid);
    if (!v->values) return fwrite(v->grid.label, 1, n, f) == n ? 0 : -1;
    enum { BLOCK = 65536 };
    float *buf = malloc(BLOCK * sizeof *buf); /* float32, little-endian hosts only (checked by the caller) */
    int rc = buf ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i += BLOCK) {
        size_t k = n - i < BLOCK ? n - i : BLOCK;
        for (size_t j = 0; j < k; j++) buf[j] = (float)v->values[i + j];
        if (fwrite(buf, sizeof *buf, k, f) != k) rc = -1;
    }
    free(buf);
    return rc;
}

y90_status y90_export_mha(const y90_volume *v, const char *path, int force, y90_error *err)
{
    const uint16_t one = 1;
    if (*(const uint8_t *)&one != 1)
        return Y90_FAIL(err, Y90_EINTERNAL, "%s: the MetaImage writer supports little-endian hosts only", path);
    char tmp[4096];
    FILE *f = y90_export_create(path, force, tmp, sizeof tmp, err);
    if (!f) return err ? err->code : Y90_EIO;
    double o[3];
    y90_volume_origin(v, o);
    const y90_grid *g = &v->grid;
    fprintf(f,
            "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
            "CompressedData = False\nTransformMatrix = 1 0 0 0 1 0 0 0 1\nOffset = %.17g %.17g %.17g\n"
            "CenterOfRotation = 0 0 0\nAnatomicalOrientation = RAI\nElementSpacing = %.17g %.17g %.17g\n"
            "DimSize = %d %d %d\nElementType = %s\nElementDataFile = LOCAL\n",
            o[0], o[1], o[2], g->spacing[0], g->spacing[1], g->spacing[2], g->nx, g->ny, g->nz,
            v->values ? "MET_FLOAT" : "MET_UCHAR");
    return y90_export_close(f, tmp, path, force, write_voxels(f, v) != 0, err);
}
