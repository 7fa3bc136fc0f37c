/* y90mc: the HDF5 output file, written through this one thin module (sim/io/io_h5.c).
 *
 * Format version 2 (all arrays C order, shape [nz][ny][nx], x fastest):
 *   /dose                   float64  Gy: absorbed dose from the full decay of the activity at treatment time
 *   /dose_rel_uncertainty   float32  1-sigma relative uncertainty of /dose (history-by-history); 0 where dose is 0
 *   /labels                 uint8    structure index per voxel; attributes (string arrays indexed by label):
 *                                    names, kinds (outside|body|lung|liver_normal|tumour_viable|tumour_necrotic|medium),
 *                                    lobes (none|right|left)
 *   /materials              uint8    material index per voxel; attribute names (string array)
 *   /density                float32  g/cm3
 *   /tumour_ids             uint16   per voxel 0 (no tumour) or k = tumour k, viable and necrotic parts alike;
 *                                    attribute count (int, tumours numbered); only when the phantom has tumours
 *   /lobule_ids             uint16   per voxel 0 (no lobule) or k = liver lobule k; attribute count (int, lobules
 *                                    numbered); only for the lobule phantom (microscale statistics of the report)
 *   /microsphere_cluster_ids uint32  per row of /microspheres: the cluster the sphere lodged in (0-based); attribute
 *                                    count (int, clusters); only when source.clustering is not none
 *   /microsphere_counts     uint32   per voxel (source.sphere_storage counts, instead of /microspheres): spheres whose
 *                                    centres lie in the voxel; attributes units ("spheres"), n_spheres (int64),
 *                                    diameter_mean_um, diameter_sd_um, diameter_min_um, diameter_max_um (the
 *                                    normal distribution truncated to [min, max]), activity_bq (Bq at treatment of
 *                                    every sphere; 0 when by volume), activity_bq_per_um3 (by volume: activity =
 *                                    this x diameter^3; else 0), seed (uint64, source.seed) and regeneration
 *                                    (string): sphere k of voxel v comes from the stream (seed, 6, v 2^32 + k) of
 *                                    the rng scheme, offsets then diameter as for the table's rows
 *   /microspheres           compound table, one row per sphere, rows sorted by voxel: voxel (uint32: linear
 *                                    index of the voxel holding the centre, x fastest), x_offset_mm, y_offset_mm,
 *                                    z_offset_mm (float32, mm: centre - low corner of that voxel, multiples of
 *                                    2^-16 mm; centre = origin_mm + (i - 0.5) spacing_mm + offset, i the voxel's
 *                                    index along the axis), diameter_um (float32, multiples of 2^-10 um),
 *                                    activity_bq (float32, Bq at treatment time); attribute units; shuffled and
 *                                    deflated. Format version 1 had x_mm, y_mm, z_mm (float64, mm) instead of
 *                                    voxel and offsets (readers accept both versions)
 *   root attributes: format_version (int), spacing_mm (double[3], x y z), origin_mm (double[3], centre of voxel
 *                    (0,0,0), x y z), decays (double: decays the dose represents), histories (int64: done), seed (uint64),
 *                    rng (string: stream scheme), kernel (string), version, git_revision, created (ISO 8601 UTC),
 *                    runtime_s (double), threads (int), config (string: the full YAML), config_effective (string:
 *                    every key's value as used, valid YAML), config_path (string),
 *                    config_overrides (string, only when --set was given: the KEY=VALUE overrides, one a line)
 *   /treatment group attributes: activity_calibration_gbq, hours_after_calibration, activity_treatment_gbq,
 *                    lung_shunt_fraction, tn_ratio, prescription_gy, treated_lobes (string both|right|left),
 *                    product (string), n_spheres (int64), half_life_h, mean_energy_mev, gy_kg_per_gbq,
 *                    sphere_storage (string: table | counts, which of /microspheres or /microsphere_counts the
 *                    run kept and writes; absent in files from before it: table)
 *   /energy_balance group attributes (MeV, totals over the simulated histories): emitted_mev, deposited_mev,
 *                    escaped_electron_mev, escaped_photon_mev, below_cutoff_mev (part of deposited_mev),
 *                    in_spheres_mev (part of deposited_mev), relative_imbalance
 *   runs also have hostname (string), mpi_ranks (int), histories_requested (int64), run_status (string:
 *                    completed | interrupted | target_uncertainty | time_limit; histories < histories_requested
 *                    unless completed) and, inside a Slurm job, slurm_job_id, slurm_array_job_id,
 *                    slurm_array_task_id (strings); and the provenance of y90_io_provenance: cpu_model (string),
 *                    cpu_cores (int, online), compiler, compile_flags, build_type, openmp (int, the _OPENMP date),
 *                    hdf5_version, gsl_version, fftw_version, mpi_library ("none" without MPI), command_line
 *   parts of a run (`run --part I/N`) also have root attributes part_index, part_count, part_first_history,
 *                    histories_total (int64: of the whole run) and the group /tally: datasets sum and sum2 (uint64
 *                    per voxel, x fastest: the integer energy tallies, kernels/tally.h units, low 64 bits) and
 *                    sum_hi, sum2_hi (uint32 per voxel: their carries, units of 2^64), attributes eb, eb_hi
 *                    (uint64[5]) and deposited, deposited_hi (uint64); `y90mc merge` adds them up exactly
 *   root attributes frame ("LPS") and direction (double[9], identity): the patient frame of include/y90/grid.h.
 * Every dataset is chunked and carries the Fletcher32 checksum filter; readers refuse a dataset whose checksum
 * fails. Files are built in memory and written to "<out>.tmp-XXXXXX", then put in place only when complete.
 * Every HDF5 file written gets an XDMF sidecar (sim/io/xdmf.c): OUT.xdmf (OUT.h5 without .h5/.hdf5/.hdf, plus
 * .xdmf), written atomically right after the HDF5 file is in place; it follows that file (an existing OUT.h5 is
 * kept, with its sidecar, unless force; a sidecar left without its HDF5 file is stale and replaced).
 */
#ifndef Y90_IO_H
#define Y90_IO_H

#include <stdio.h>
#include <sys/types.h>
#include "y90/common.h"
#include "y90/config.h"
#include "y90/grid.h"
#include "y90/kernel.h"

#define Y90_FORMAT_VERSION 2 /* 2: the sphere table by voxel and offset (1: absolute positions) */

struct y90_run_result; /* kernel.h */
struct y90_sources;    /* source.h */

/* Write a run. Refuses to replace an existing file unless force. */
y90_status y90_io_write_run(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                            const struct y90_sources *src, const struct y90_run_result *res, y90_error *err);
/* Write only the phantom (labels, materials, density, spacing, origin, config). */
y90_status y90_io_write_phantom(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                                y90_error *err);

/* Write the phantom's objects and root geometry attributes plus voxel arrays [nz][ny][nx] (float64 when f64 is
 * set, else float32), each with a units attribute (`y90mc compare` difference maps). */
typedef struct {
    const char *name;      /* e.g. "/dose_difference" */
    const double *f64;
    const float *f32;
    const char *units;
} y90_io_array;
y90_status y90_io_write_arrays(const char *path, int force, const y90_grid *g, const y90_io_array *arr, int narr,
                               y90_error *err);

/* Reading (used by the report and tests). Arrays are allocated with malloc; free with y90_grid_free and free(). */
y90_status y90_io_read_grid(const char *path, y90_grid *g, y90_error *err);
y90_status y90_io_read_dose(const char *path, size_t nvox, double **dose, float **rel_unc, y90_error *err);
y90_status y90_io_read_attr_double(const char *path, const char *object, const char *name, double *v,
                                   y90_error *err);
y90_status y90_io_read_attr_string(const char *path, const char *object, const char *name, char *buf,
                                   size_t len, y90_error *err);
/* Spheres whose centres lie in each voxel (x fastest; *counts malloc'd, nvox values) from either storage: the
 * /microsphere_counts array or the /microspheres table's voxel column; storage gets "counts" or "table". */
y90_status y90_io_read_sphere_counts(const char *path, size_t nvox, uint32_t **counts, char storage[16],
                                     y90_error *err);
/* The integer tallies of a part file (`run --part I/N`, group /tally) into t: t->nvox set and sum, sum2
 * allocated by the caller (y90_tally_alloc). */
y90_status y90_io_read_tally(const char *path, y90_tally *t, y90_error *err);
/* A checkpoint of a run in progress (OUT.h5.ckpt, sim/run/checkpoint.c): root attributes checkpoint (string),
 * version, git_revision, created, config_effective, seed, part_index, part_count (0 0: a whole run),
 * first_history, histories_done (histories first..first+done-1 are finished), histories_requested, runtime_s, and
 * the group /tally of a part file holding the finished histories' integer tallies. */
typedef struct {
    char *config_effective;     /* the run's effective config (read: malloc'd) */
    char version[32], git_revision[64];
    uint64_t seed;
    int part_index, part_count;
    int64_t first, done, requested;
    double runtime_s;           /* s, kernel time of the finished histories */
} y90_checkpoint_info;
/* Write a checkpoint atomically (a temporary file renamed over the previous one: a kill while writing leaves the
 * previous checkpoint whole). */
y90_status y90_io_write_checkpoint(const char *path, const y90_checkpoint_info *ck, const y90_tally *t,
                                   y90_error *err);
/* Read a checkpoint's attributes (Y90_EINPUT naming the file when it is not one); free ck->config_effective. Its
 * tallies: y90_io_read_tally. */
y90_status y90_io_read_checkpoint(const char *path, y90_checkpoint_info *ck, y90_error *err);

/* Provenance of the process (sim/io/provenance.c): root attributes of every run file, either a string (text) or an
 * int (value): cpu_model, cpu_cores, compiler, compile_flags, build_type, openmp, hdf5_version, gsl_version,
 * fftw_version, mpi_library, command_line. */
#define Y90_PROVENANCE_MAX 16
typedef struct {
    const char *name;
    const char *text;  /* NULL: an int attribute */
    int value;
} y90_provenance_attr;
int y90_io_provenance(y90_provenance_attr *a, int max);
/* The command line recorded in run files (main calls it once; arguments with spaces or quotes are quoted). */
void y90_set_command_line(int argc, char **argv);

/* 1 if object ("/treatment", "/dose_rel_uncertainty", ...) exists in the HDF5 file, 0 if not or unreadable. */
int y90_io_has_object(const char *path, const char *object);
/* Output files are written to a unique temporary file "<out>.tmp-XXXXXX" (created exclusively, and locked while
 * this process works on it) and put in place only when complete (sim/io/publish.c). */
typedef struct {
    char *path;  /* the temporary file's name (malloc'd) */
    int fd;      /* open and locked */
    dev_t dev;   /* identity of the file this process created: only that file is ever removed */
    ino_t ino;
} y90_tmpfile;
/* Create "<path>.tmp-XXXXXX" beside path. */
y90_status y90_tmp_create(const char *path, y90_tmpfile *t, y90_error *err);
/* Write all of buf to the temporary file (path, the final name, is for messages; a full disk says so). */
y90_status y90_tmp_write(y90_tmpfile *t, const void *buf, size_t len, const char *path, y90_error *err);
/* Flush to disk and put the temporary file in place of path (y90_publish). If path appeared meanwhile (no force),
 * the result is kept as "<path>.kept-XXXXXX" and the message says where (Y90_EINPUT); on any other failure the
 * temporary file is removed. t is released in every case. */
y90_status y90_tmp_commit(y90_tmpfile *t, const char *path, int force, y90_error *err);
/* Remove the temporary file (if it is still the one this process created) and release t. */
void y90_tmp_discard(y90_tmpfile *t);
/* Write a text file atomically through a temporary file (never a half-written file; an existing file is
 * replaced only with force). */
y90_status y90_write_atomic(const char *path, const char *text, size_t len, int force, y90_error *err);
/* Remove the stale temporary files of output path (ones no living process holds locked), naming each on log
 * (may be NULL). Returns how many were removed. */
int y90_remove_stale_temps(const char *path, FILE *log);

/* y90_check_output for an HDF5 output, and the folder checks for its XDMF sidecar. */
y90_status y90_check_output_h5(const char *path, int force, y90_error *err);
/* The XDMF sidecar's path of an HDF5 output into buf; -1 if it does not fit. */
int y90_xdmf_path(const char *h5_path, char *buf, size_t len);
/* Write the XDMF sidecar of h5_path (cell arrays /dose and /dose_rel_uncertainty when asked, /labels, /materials,
 * /density of grid g, then the nextra extra arrays, e.g. /dose_difference) atomically (y90_write_atomic),
 * replacing an older one. */
y90_status y90_xdmf_write(const char *h5_path, const y90_grid *g, int dose, int uncertainty,
                          const y90_io_array *extra, int nextra, y90_error *err);

/* Put the finished temporary file tmp in place of path: with force by rename() (only over a regular, writable
 * file); without, never replacing a path that appeared meanwhile (the result then stays at tmp and the message
 * says so; Y90_EINPUT). On Y90_EIO the caller removes tmp. */
y90_status y90_publish(const char *tmp, const char *path, int force, y90_error *err);
/* Before any work: the output must not exist (unless force: then a writable regular file, never a link, device,
 * FIFO or folder), and its folder be writable. */
y90_status y90_check_output(const char *path, int force, y90_error *err);
/* Refuse an output that is the input file itself (same device and inode), e.g. `-o` naming the config. */
y90_status y90_check_not_input(const char *out, const char *in, y90_error *err);
/* 1 if both names exist and are one file (same device and inode, links followed), else 0. */
int y90_same_file(const char *a, const char *b);
/* 1 if the file exists (any type), 0 otherwise. */
int y90_file_exists(const char *path);
/* Memory the readers may allocate (bytes; 0: no limit). Default: y90_memory_limit_bytes(0). */
void y90_io_set_memory_limit(size_t bytes);

#endif
