/* y90mc: phantoms: the analytic adult liver, a homogeneous box, layered slabs and patient images. */
#ifndef Y90_PHANTOM_H
#define Y90_PHANTOM_H

#include "y90/config.h"
#include "y90/grid.h"

#define Y90_MAX_TUMOURS 256
/* Structure names of the lobule phantom (sim/phantom/lobules.c): the spheres of normal liver lodge in the portal
 * tracts only. */
#define Y90_LOBULE_PORTAL "portal_tract"

typedef struct {
    double centre_mm[3];   /* mm */
    double radius_mm;      /* mm, outer radius */
    double core_radius_mm; /* mm, necrotic core radius */
    y90_lobe lobe;         /* lobe of the centre; each voxel takes the lobe of its side of the split plane */
} y90_tumour;

/* What the generator built, measured on the voxel grid (for tests and the log). */
typedef struct {
    double liver_volume_ml;          /* all liver voxels, tumours included */
    double liver_mass_g;
    double lobe_volume_ml[3];        /* [Y90_LOBE_RIGHT], [Y90_LOBE_LEFT] (tumours included) */
    double tumour_volume_ml;         /* viable + necrotic */
    double tumour_burden_percent;    /* tumour volume / liver volume * 100 */
    double lobe_tumour_volume_ml[3]; /* tumour voxels of each lobe, [Y90_LOBE_RIGHT], [Y90_LOBE_LEFT] */
    double lobe_burden_percent[3];   /* tumour volume of a lobe / that lobe's volume * 100 */
    double necrotic_volume_ml;       /* necrotic cores */
    double lung_volume_ml;
    int ntumours;
    y90_tumour tumours[Y90_MAX_TUMOURS];
    /* box and slabs: phantom.box_size_mm rounded to whole voxels (slabs: x and y only) */
    int box_rounded;                 /* 1 if some axis of box_size_mm was not a whole number of voxels */
    double box_size_asked_mm[3];     /* mm, phantom.box_size_mm */
    double box_size_used_mm[3];      /* mm, the size built: voxels x voxel_mm per axis */
} y90_phantom_info;

/* Build the phantom the parameters describe. max_bytes bounds the memory of the grid and a run on it
 * (Y90_ENOMEM with the size otherwise). info may be NULL. */
y90_status y90_phantom_build(const y90_phantom_params *p, size_t max_bytes, y90_grid *g, y90_phantom_info *info,
                             y90_error *err);

/* phantom.type image (sim/phantom/phantom_image.c): density (g/cm3) of a CT number on the HU curve of p, and the
 * index of its HU material bin in p->hu_materials. */
double y90_hu_density(const y90_phantom_params *p, double hu);
int y90_hu_material_bin(const y90_phantom_params *p, double hu);
/* Called by y90_phantom_build for phantom.type image. */
y90_status y90_phantom_build_image(const y90_phantom_params *p, size_t max_bytes, y90_grid *g,
                                   y90_phantom_info *info, y90_error *err);

#endif
