/* y90mc: patient images in (NIfTI-1 .nii/.nii.gz through libnifti, and HDF5), turned into an axis-aligned image
 * in the LPS frame of include/y90/grid.h, and resampled onto a voxel grid.
 *
 * NIfTI: world coordinates are RAS; the voxel-to-world affine is the sform when sform_code > 0, else the qform
 * when qform_code > 0 (nibabel's choice); a file with neither is refused (no orientation). RAS is turned into
 * LPS by negating x and y. Spatial units: mm (unknown taken as mm, as dcm2niix writes), m and um converted.
 * scl_slope/scl_inter are applied (slope 0: none). A 4-D file with more than one volume is refused.
 *
 * HDF5 (the conventions of our own output, include/y90/io.h): a 3-D numeric dataset (default `/image`; `FILE:/NAME`
 * picks another one, e.g. `run.h5:/density`), shape [nk][nj][ni] in C order (i fastest), and root attributes
 *   spacing_mm  double[3]  mm, voxel edge along i, j, k
 *   origin_mm   double[3]  mm, LPS position of the centre of voxel (0,0,0)
 *   direction   double[9]  optional (default identity): unit direction of axis i, j, k in LPS, one row each
 *   frame       string     optional; when present it must be "LPS"
 *
 * Both: every voxel axis must lie along a patient axis (a permutation with signs, within 1e-4 of the unit
 * vectors); oblique images are refused with a message (resample them first, e.g. `plastimatch resample`). The
 * image is then reordered so that i, j, k run along +x, +y, +z (LPS) as on the dose grid. */
#ifndef Y90_IMAGE_H
#define Y90_IMAGE_H

#include "y90/common.h"
#include "y90/grid.h"

typedef struct {
    int n[3];          /* voxels along x, y, z (LPS) */
    double spacing[3]; /* mm */
    double lo[3];      /* mm, LPS lower corner of voxel (0,0,0) */
    float *data;       /* value per voxel, index (k*n[1] + j)*n[0] + i */
} y90_image;

/* Read a NIfTI (.nii, .nii.gz) or HDF5 (.h5, .hdf5, .hdf; optionally FILE:/DATASET) image. Every error names
 * the file (Y90_EINPUT: unreadable, corrupt, truncated, oblique, wrong rank or attributes; Y90_ENOMEM, also when
 * reading it would take more than max_bytes, checked from the header before the voxels are read; 0: no limit). */
y90_status y90_image_read(const char *path, size_t max_bytes, y90_image *img, y90_error *err);
void y90_image_free(y90_image *img);

/* Value of the image voxel that contains point p (mm, LPS); 0 and the value, or -1 when p is outside. */
int y90_image_at(const y90_image *img, const double p[3], float *v);

/* Nearest-neighbour resampling onto grid g (labels, CT): out[v] = image value at the centre of voxel v.
 * Returns the number of grid voxels whose centre lies outside the image (out = `outside` there). */
size_t y90_image_resample_nearest(const y90_image *img, const y90_grid *g, float outside, float *out);

/* Mass-conserving resampling onto g: each image voxel's amount (value * its volume in ml when per_ml, e.g.
 * Bq/ml, else the value itself, e.g. counts) is shared among the grid voxels by overlap volume; out[v] is the
 * amount in grid voxel v. Negative amounts (reconstruction noise) count as 0. *inside and *total (may be NULL)
 * get the amount that lands on the grid and the image's whole amount. */
y90_status y90_image_resample_amount(const y90_image *img, const y90_grid *g, int per_ml, double *out,
                                     double *inside, double *total, y90_error *err);

#endif
