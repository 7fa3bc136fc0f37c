/* y90mc: the voxel grid every module shares (phantom, kernels, tallies, writers). */
#ifndef Y90_GRID_H
#define Y90_GRID_H

#include "y90/common.h"

#define Y90_MAX_LABELS 64
#define Y90_MAX_GRID_MATERIALS 32
#define Y90_NAME_LEN 48

/* What a labelled structure is, so that the report can group structures by meaning, not by name. */
typedef enum {
    Y90_KIND_OUTSIDE = 0,   /* air or nothing around the patient */
    Y90_KIND_BODY,          /* soft tissue of the body */
    Y90_KIND_LUNG,
    Y90_KIND_LIVER_NORMAL,  /* non-tumoural liver parenchyma */
    Y90_KIND_TUMOR_VIABLE,  /* viable (perfused) tumour rim */
    Y90_KIND_TUMOR_NECROTIC,/* necrotic tumour core */
    Y90_KIND_MEDIUM         /* a validation medium (box, slab) */
} y90_kind;

typedef enum { Y90_LOBE_NONE = 0, Y90_LOBE_RIGHT = 1, Y90_LOBE_LEFT = 2 } y90_lobe;

/* One labelled structure. */
typedef struct {
    char name[Y90_NAME_LEN]; /* e.g. "liver_right", "tumour_viable_left", "slab1" */
    y90_kind kind;
    y90_lobe lobe;           /* liver lobe the structure belongs to, or NONE */
} y90_structure;

/* The patient frame of every position (grid, point_mm, box_min_mm, box_max_mm, tumour centres, sphere x_mm y_mm
 * z_mm): DICOM LPS, mm: +x towards the patient's left, +y posterior, +z superior. The grid axes i, j, k run along
 * +x, +y, +z (direction cosines the identity, y90_direction) and the file's origin_mm is the centre of voxel
 * (0,0,0). Written to the HDF5 root as attributes `frame` (Y90_FRAME) and `direction`. */
#define Y90_FRAME "LPS"
/* Direction cosines of the voxel axes i, j, k (rows) in the patient frame, row-major 3x3 (ITK's Direction). */
#define Y90_DIRECTION {1, 0, 0, 0, 1, 0, 0, 0, 1}

/* A voxel grid. Voxel (ix,iy,iz) has linear index (iz*ny + iy)*nx + ix and spans
 * [lo + i*spacing, lo + (i+1)*spacing) on each axis; its centre is lo + (i + 1/2)*spacing. */
typedef struct {
    int nx, ny, nz;
    double spacing[3];        /* mm, voxel edge along x, y, z */
    double lo[3];             /* mm, lower corner of voxel (0,0,0) */
    uint8_t *label;           /* structure index per voxel, into structures[] */
    uint8_t *material;        /* material index per voxel, into material_names[] */
    float *density;           /* g/cm3 per voxel */
    uint16_t *tumour_id;      /* per voxel: 0 outside tumours, k = tumour k (1-based, viable and necrotic parts
                                 alike); NULL when the grid has no individual tumours */
    int ntumours;             /* tumours numbered in tumour_id (0 when tumour_id is NULL) */
    uint16_t *lobule_id;      /* per voxel: 0 outside lobules, k = liver lobule k (1-based; lobule phantom only,
                                 else NULL) */
    int nlobules;             /* lobules numbered in lobule_id (0 when lobule_id is NULL) */
    int periodic;             /* 1: electrons leaving a face re-enter at the opposite one (the lobule block as a
                                 sample of an infinite liver; photons still escape); not stored in files */
    int nstructures;
    y90_structure structures[Y90_MAX_LABELS];
    int nmaterials;
    char material_names[Y90_MAX_GRID_MATERIALS][Y90_NAME_LEN]; /* names known to the physics module */
} y90_grid;

static inline size_t y90_grid_nvox(const y90_grid *g) { return (size_t)g->nx * (size_t)g->ny * (size_t)g->nz; }
static inline size_t y90_grid_index(const y90_grid *g, int ix, int iy, int iz)
{
    return ((size_t)iz * (size_t)g->ny + (size_t)iy) * (size_t)g->nx + (size_t)ix;
}
static inline double y90_grid_voxel_volume_mm3(const y90_grid *g) { return g->spacing[0] * g->spacing[1] * g->spacing[2]; }

/* Allocate label, material and density arrays (zeroed) after nx,ny,nz and spacing are set.
 * Refuses grids larger than max_bytes (0 = no limit) with Y90_ENOMEM and a message giving the size. */
y90_status y90_grid_alloc(y90_grid *g, size_t max_bytes, y90_error *err);
void y90_grid_free(y90_grid *g);
/* Bytes per voxel the grid and a run need (grid arrays plus dose tallies): used for the memory check. */
size_t y90_grid_bytes_per_voxel_run(void);
/* Add a structure (or find it by name); returns its index or -1 if the table is full. */
int y90_grid_add_structure(y90_grid *g, const char *name, y90_kind kind, y90_lobe lobe);
/* Add a material name (or find it); returns its index or -1 if the table is full. */
int y90_grid_add_material(y90_grid *g, const char *name);
/* Voxel containing point p (mm); returns 0 and sets *idx, or -1 if outside the grid. */
int y90_grid_locate(const y90_grid *g, const double p[3], size_t *idx);
/* Mass of a voxel, kg. */
static inline double y90_grid_voxel_mass_kg(const y90_grid *g, size_t i)
{
    return (double)g->density[i] * y90_grid_voxel_volume_mm3(g) * 1e-6; /* g/cm3 * mm3 -> kg */
}
const char *y90_kind_name(y90_kind k);
const char *y90_lobe_name(y90_lobe l);
int y90_kind_from_name(const char *s, y90_kind *k);
int y90_lobe_from_name(const char *s, y90_lobe *l);

#endif
