/* y90mc: the sources of a run: sampled microspheres or validation sources. */
#ifndef Y90_SOURCE_H
#define Y90_SOURCE_H

#include "y90/common.h"
#include "y90/config.h"
#include "y90/grid.h"
#include "y90/nuclide.h"


/* One microsphere (24 bytes; what the /microspheres table stores, row for row). Spheres are sorted by voxel (x
 * fastest). The centre is the low corner of the voxel plus the offsets; offsets are multiples of 2^-16 mm
 * (15 nm, Y90_SPHERE_OFFSET_QUANTUM_MM) and diameters multiples of 2^-10 um, exact in float32 with the low
 * mantissa bits zero, so that the shuffled, deflated table compresses. */
#define Y90_SPHERE_OFFSET_QUANTUM_MM (1.0 / 65536.0)
#define Y90_SPHERE_DIAMETER_QUANTUM_UM (1.0 / 1024.0)
typedef struct {
    uint32_t voxel;        /* linear voxel index of the centre (x fastest) */
    float offset_mm[3];    /* mm, centre - low corner of that voxel, x y z, each in [0, spacing) */
    float diameter_um;     /* um */
    float activity_bq;     /* Bq at treatment time */
} y90_sphere;

/* Centre of a sphere (mm). */
static inline void y90_sphere_centre(const y90_grid *g, const y90_sphere *sp, double p[3])
{
    size_t v = sp->voxel, nx = (size_t)g->nx, ny = (size_t)g->ny;
    const size_t ii[3] = {v % nx, (v / nx) % ny, v / (nx * ny)};
    for (int a = 0; a < 3; a++) p[a] = g->lo[a] + (double)ii[a] * g->spacing[a] + (double)sp->offset_mm[a];
}

#define Y90_CLUSTER_MAX 2000 /* spheres in one cluster at most (larger draws are cut to it) */

typedef struct y90_sources {
    y90_source_type type;
    /* microspheres */
    size_t nspheres;
    y90_sphere *spheres;
    float *alias_prob;             /* Vose alias table of the sphere activities: keep sphere i with alias_prob[i], */
    uint32_t *alias_idx;           /* else take alias_idx[i] (O(1) choice of the decaying sphere) */
    char product[32];              /* "therasphere", "sir_spheres" */
    char sphere_material[Y90_NAME_LEN]; /* "glass" or "resin" */
    double sphere_density;         /* g/cm3 */
    double mean_diameter_um;       /* um, preset or configured mean */
    size_t spheres_in_lung;
    double uptake_liver[Y90_MAX_LABELS]; /* relative activity per mass of each label for the liver spheres */
    double uptake_lung[Y90_MAX_LABELS];  /* the same for the shunted spheres (1 in lung labels) */
    double *voxel_uptake;          /* source.type activity_map: the image's amount per voxel inside the liver and
                                      tumour labels (Bq or counts; 0 elsewhere), which replaces uptake_liver; NULL
                                      otherwise (the sources are then microspheres, type MICROSPHERES) */
    double image_total;            /* activity_map: the image's whole amount (Bq or counts) */
    double image_on_grid;          /* ... the part on the dose grid */
    double image_in_liver;         /* ... the part in the liver and tumour labels (places the spheres) */
    double image_tn_ratio;         /* ... its amount per mass in viable tumour over that in normal liver (the
                                      partition model's T/N); NAN without viable tumour or normal-liver activity */
    /* clusters (source.clustering != none; else nclusters = 0 and the arrays NULL). The table is sorted by voxel,
     * so a cluster's spheres are not contiguous in it: sphere_cluster[i] is the cluster of spheres[i], and the
     * spheres of cluster c are spheres[cluster_members[k]] for k in cluster_start[c] .. cluster_start[c+1]-1.
     * Clusters 0 .. nclusters_lung-1 hold the shunted (lung) spheres. cluster_bound[c] holds the centre (mm) and
     * radius (mm) of a ball holding all of cluster c's spheres (the transport tests it before the spheres). */
    size_t nclusters, nclusters_lung;
    uint32_t *sphere_cluster;      /* [nspheres] */
    uint32_t *cluster_start;       /* [nclusters + 1] */
    uint32_t *cluster_members;     /* [nspheres] */
    double (*cluster_bound)[4];    /* [nclusters] */
    /* validation sources */
    double box_lo[3], box_hi[3];   /* mm, uniform_box */
    size_t nvoxels;                /* uniform_structure: voxels holding activity */
    size_t *voxels;
    size_t voxel;                  /* voxel source: linear index */
    double point[3];               /* mm, point source */
    double energy_mev;             /* MeV, mono-energetic emission (0 = ICRP-107 spectrum) */
    double direction[3];           /* unit emission direction, or all 0 = isotropic */
    /* activity */
    double activity_calibration_bq;
    double activity_treatment_bq;
    double decays;                 /* decays the dose represents (full decay of activity at treatment) */
} y90_sources;

/* Build the sources the config describes on the grid (samples spheres with source.seed). */
y90_status y90_sources_build(const y90_config *c, const y90_grid *g, y90_sources *s, y90_error *err);
void y90_sources_free(y90_sources *s);
/* source.type activity_map (sim/source/source_image.c): read source.activity_file, resample it onto g conserving
 * its amount, keep the part in the liver and tumour labels in s->voxel_uptake (allocated) and the totals. */
y90_status y90_sources_read_activity_image(const y90_config *c, const y90_grid *g, y90_sources *s, y90_error *err);

/* One microsphere of the product whose material is `material` ("glass": TheraSphere, "resin": SIR-Spheres; their
 * preset density and activity), of diameter_um (0: the preset mean, 25 or 32 um), centred at offset_mm (mm, at
 * most float precision) from the low corner of `voxel` (the one-sphere dose kernel of y90mc dpk --sphere). */
y90_status y90_sources_one_sphere(const char *material, double diameter_um, const y90_grid *g, size_t voxel,
                                  const double offset_mm[3], y90_sources *s, y90_error *err);

/* Uniform random numbers for one history (Random123 Philox4x32-10, see rng.h). */
struct y90_rng;
/* Sample where decay h starts: position (mm) and the index of its sphere (-1 when not from a sphere). */
void y90_sources_sample(const y90_sources *s, const y90_grid *g, struct y90_rng *r, double pos[3], long *sphere);

/* The activity map: fraction of the decays that start in each voxel (sums to 1 over the grid). Microspheres:
 * expected = the uptake model's expectation (activity per mass per label, the lung share by the sphere count;
 * noise-free), else the sampled spheres' activities in the voxels of their centres. Validation sources: exact
 * (uniform_box by the overlap volume of box and voxel). frac holds y90_grid_nvox(g) doubles. */
y90_status y90_sources_activity_map(const y90_sources *s, const y90_grid *g, int expected, double *frac,
                                    y90_error *err);

/* Cluster sizes (sim/source/cluster.c): probability that a cluster holds k >= 1 spheres under the configured
 * distribution (k = Y90_CLUSTER_MAX holds the tail beyond it), and one draw of it. */
double y90_cluster_pmf(const y90_source_params *sp, long k);
long y90_cluster_draw(const y90_source_params *sp, struct y90_rng *r);
/* Split spheres [first, first + n) of the sphere stream into clusters drawn with stream (seed,
 * Y90_STREAM_CLUSTER_SIZES, group): appends the first sphere of each cluster to s->cluster_start (s->nclusters
 * grows, cluster_start[nclusters] = first + n; the last cluster is cut to fit). */
y90_status y90_cluster_partition(const y90_source_params *sp, uint64_t seed, uint32_t group, size_t first, size_t n,
                                 y90_sources *s, y90_error *err);
/* Place spheres sph[a .. b) (diameters set) of one cluster around centre (mm) without overlaps, within the grid box:
 * sets their voxels and offsets (quantised as the table stores them, so that the stored spheres do not overlap). */
void y90_cluster_place(const y90_source_params *sp, const y90_grid *g, y90_sphere *sph, size_t a, size_t b,
                       const double centre[3], struct y90_rng *r);
/* Bounding ball of each cluster of s (cluster_start, cluster_members, spheres set) into s->cluster_bound. */
void y90_cluster_bounds(const y90_grid *g, y90_sources *s);

#endif
