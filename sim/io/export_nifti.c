/* NIfTI-1 export through libnifti (nifti1_io). NIfTI world coordinates are RAS; the HDF5 grid is LPS with its voxel
 * axes along +x +y +z. The LPS -> RAS flip is made here, once, in the affine: x_RAS = -x_LPS, y_RAS = -y_LPS,
 * z_RAS = z_LPS, so voxel (i,j,k) lies at RAS (-(ox + i dx), -(oy + j dy), oz + k dz) with o the LPS centre of voxel
 * (0,0,0). sform and qform hold the same matrix (a 180 degree rotation about z: quaternion b = c = 0, d = 1,
 * qfac 1), both coded NIFTI_XFORM_SCANNER_ANAT, so that 3D Slicer, ITK-SNAP and nibabel agree. The voxel order is
 * the HDF5 file's (x fastest). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <nifti1_io.h>
#include "y90/export.h"
#include "y90/io.h"

/* The voxel-to-RAS affine. */
static mat44 ras_affine(const y90_volume *v)
{
    double o[3];
    y90_volume_origin(v, o);
    const double *d = v->grid.spacing;
    mat44 m;
    memset(&m, 0, sizeof m);
    m.m[0][0] = (float)-d[0];
    m.m[0][3] = (float)-o[0];
    m.m[1][1] = (float)-d[1];
    m.m[1][3] = (float)-o[1];
    m.m[2][2] = (float)d[2];
    m.m[2][3] = (float)o[2];
    m.m[3][3] = 1.0f;
    return m;
}

static void set_transforms(nifti_image *nim, const y90_volume *v)
{
    mat44 m = ras_affine(v);
    nim->sform_code = NIFTI_XFORM_SCANNER_ANAT;
    nim->sto_xyz = m;
    nim->sto_ijk = nifti_mat44_inverse(m);
    float dx, dy, dz;
    nim->qform_code = NIFTI_XFORM_SCANNER_ANAT;
    nifti_mat44_to_quatern(m, &nim->quatern_b, &nim->quatern_c, &nim->quatern_d, &nim->qoffset_x, &nim->qoffset_y,
                           &nim->qoffset_z, &dx, &dy, &dz, &nim->qfac);
    nim->qto_xyz = nifti_quatern_to_mat44(nim->quatern_b, nim->quatern_c, nim->quatern_d, nim->qoffset_x,
                                          nim->qoffset_y, nim->qoffset_z, nim->dx, nim->dy, nim->dz, nim->qfac);
    nim->qto_ijk = nifti_mat44_inverse(nim->qto_xyz);
}

/* A new image owning a copy of the voxels (float32, or uint8 for labels). */
static nifti_image *make_image(const y90_volume *v, y90_error *err)
{
    const y90_grid *g = &v->grid;
    int dims[8] = {3, g->nx, g->ny, g->nz, 1, 1, 1, 1};
    nifti_image *nim = nifti_make_new_nim(dims, v->values ? NIFTI_TYPE_FLOAT32 : NIFTI_TYPE_UINT8, 1);
    if (!nim) {
        Y90_FAIL(err, Y90_ENOMEM, "NIfTI image of %d x %d x %d voxels: cannot allocate", g->nx, g->ny, g->nz);
        return NULL;
    }
    size_t n = y90_grid_nvox(g);
    if (v->values)
        for (size_t i = 0; i < n; i++) ((float *)nim->data)[i] = (float)v->values[i];
    else
        memcpy(nim->data, g->label, n);
    nim->dx = nim->pixdim[1] = (float)g->spacing[0];
    nim->dy = nim->pixdim[2] = (float)g->spacing[1];
    nim->dz = nim->pixdim[3] = (float)g->spacing[2];
    nim->xyz_units = NIFTI_UNITS_MM;
    nim->cal_min = 0.0f;
    nim->cal_max = (float)v->max;
    if (!v->values) nim->intent_code = NIFTI_INTENT_LABEL;
    snprintf(nim->descrip, sizeof nim->descrip, "y90mc %s %s (HDF5 LPS grid, affine to RAS)", v->name, v->units);
    snprintf(nim->intent_name, sizeof nim->intent_name, "%s", v->units);
    set_transforms(nim, v);
    return nim;
}

/* Read the header back: it must be there with our dimensions (nifti_image_write reports failures only on stderr). */
static y90_status check_written(const char *tmp, const char *path, const y90_grid *g, y90_error *err)
{
    nifti_image *r = nifti_image_read(tmp, 0);
    int ok = r && r->nx == g->nx && r->ny == g->ny && r->nz == g->nz;
    nifti_image_free(r);
    return ok ? Y90_OK : Y90_FAIL(err, Y90_EIO, "%s: writing %s failed (disk full?)", path, tmp);
}

y90_status y90_export_nifti(const y90_volume *v, const char *path, int force, y90_error *err)
{
    size_t n = strlen(path);
    int gz = n > 7 && strcmp(path + n - 7, ".nii.gz") == 0;
    if (!gz && !(n > 4 && strcmp(path + n - 4, ".nii") == 0))
        return Y90_FAIL(err, Y90_EINPUT, "%s: a NIfTI file name must end in .nii.gz or .nii", path);
    char tmp[4096];
    y90_status st = y90_check_output(path, force, err);
    /* libnifti picks the file type and compression from the name: the temporary name keeps the extension */
    if (st == Y90_OK) st = y90_export_tmp_name(path, gz ? ".nii.gz" : ".nii", tmp, sizeof tmp, err);
    if (st != Y90_OK) return st;
    nifti_image *nim = make_image(v, err);
    if (!nim) return err ? err->code : Y90_ENOMEM;
    nifti_set_debug_level(0);
    if (nifti_set_filenames(nim, tmp, 0, 1) != 0) st = Y90_FAIL(err, Y90_EINPUT, "%s: bad NIfTI file name", tmp);
    nim->nifti_type = NIFTI_FTYPE_NIFTI1_1;
    if (st == Y90_OK) {
        remove(tmp);
        nifti_image_write(nim);
        st = check_written(tmp, path, &v->grid, err);
    }
    nifti_image_free(nim);
    return y90_export_finish(tmp, path, force, st, err);
}
