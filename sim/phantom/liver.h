/* Internal to the analytic liver phantom: sim/phantom/phantom_liver.c builds the liver, lobes, lungs and body;
 * sim/phantom/tumours.c places the tumours in the labelled liver and paints them over it. */
#ifndef Y90_PHANTOM_LIVER_INTERNAL_H
#define Y90_PHANTOM_LIVER_INTERNAL_H

#include "y90/phantom.h"

/* Voxel labels of the liver phantom (indices of the grid's structure table). */
enum { L_OUTSIDE, L_BODY, L_LUNG, L_LIVER_R, L_LIVER_L, L_TV_R, L_TN_R, L_TV_L, L_TN_L, NLABELS };

/* Called by y90_phantom_build (sim/phantom/phantom.c) after it has checked the parameters. */
y90_status y90_phantom_build_liver(const y90_phantom_params *p, size_t max_bytes, y90_grid *g,
                                   y90_phantom_info *info, y90_error *err);

/* Place p->tumour_count tumours holding p->tumour_burden_percent of the liver voxels (labelled L_LIVER_R and
 * L_LIVER_L, no tumours yet) and paint them: tumour voxels take the lobe of the liver voxel they replace.
 * Fills out[0 .. *n) (largest first). An impossible request names the largest burden that can be built. */
y90_status y90_liver_tumours(y90_grid *g, const y90_phantom_params *p, y90_tumour *out, int *n, y90_error *err);

#endif
