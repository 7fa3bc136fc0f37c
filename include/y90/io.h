/* y90mc: the HDF5 output file, written through this one thin module (sim/io/io_h5.c).
 *
 * Format version 1 (all arrays C order, shape [nz][ny][nx], x fastest):
 *   /dose                   float64  Gy: absorbed dose from the full decay of the activity at treatment time
 *   /dose_rel_uncertainty   float32  1-sigma relative uncertainty of /dose (history-by-history); 0 where dose is 0
 *   /labels                 uint8    structure index per voxel; attributes (string arrays indexed by label):
 *                                    names, kinds (outside|body|lung|liver_normal|tumour_viable|tumour_necrotic|medium),
 *                                    lobes (none|right|left)
 *   /materials              uint8    material index per voxel; attribute names (string array)
 *   /density                float32  g/cm3
 *   /tumour_ids             uint16   per voxel 0 (no tumour) or k = tumour k, viable and necrotic parts alike;
 *                                    attribute count (int, tumours numbered); only when the phantom has tumours
 *   /microspheres           compound table, one row per sphere: x_mm, y_mm, z_mm (float64, mm),
 *                                    diameter_um (float32), activity_bq (float32, Bq at treatment time)
 *   root attributes: format_version (int), spacing_mm (double[3], x y z), origin_mm (double[3], centre of voxel
 *                    (0,0,0), x y z), decays (double: decays the dose represents), histories (int64: done), histories_requested
 *                    (int64), interrupted (int: 1 when stopped early, the dose then from the done histories), seed (uint64),
 *                    rng (string: stream scheme), kernel (string), version, git_revision, created (ISO 8601 UTC),
 *                    runtime_s (double), threads (int), config (string: the full YAML), config_effective (string:
 *                    every key's value as used, valid YAML), config_path (string)
 *   /treatment group attributes: activity_calibration_gbq, hours_after_calibration, activity_treatment_gbq,
 *                    lung_shunt_fraction, tn_ratio, prescription_gy, treated_lobes (string both|right|left),
 *                    product (string), n_spheres (int64), half_life_h, mean_energy_mev, gy_kg_per_gbq
 *   /energy_balance group attributes (MeV, totals over the simulated histories): emitted_mev, deposited_mev,
 *                    escaped_electron_mev, escaped_photon_mev, below_cutoff_mev (part of deposited_mev),
 *                    in_spheres_mev (part of deposited_mev), relative_imbalance
 * Files are written to "<out>.tmp-<pid>" and renamed over <out> only when complete.
 */
#ifndef Y90_IO_H
#define Y90_IO_H

#include "y90/common.h"
#include "y90/config.h"
#include "y90/grid.h"

#define Y90_FORMAT_VERSION 1

struct y90_run_result; /* kernel.h */
struct y90_sources;    /* source.h */

/* Write a run. Refuses to replace an existing file unless force. */
y90_status y90_io_write_run(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                            const struct y90_sources *src, const struct y90_run_result *res, y90_error *err);
/* Write only the phantom (labels, materials, density, spacing, origin, config). */
y90_status y90_io_write_phantom(const char *path, int force, const y90_config *cfg, const y90_grid *g,
                                y90_error *err);

/* Reading (used by the report and tests). Arrays are allocated with malloc; free with y90_grid_free and free(). */
y90_status y90_io_read_grid(const char *path, y90_grid *g, y90_error *err);
y90_status y90_io_read_dose(const char *path, size_t nvox, double **dose, float **rel_unc, y90_error *err);
y90_status y90_io_read_attr_double(const char *path, const char *object, const char *name, double *v,
                                   y90_error *err);
y90_status y90_io_read_attr_string(const char *path, const char *object, const char *name, char *buf,
                                   size_t len, y90_error *err);
/* 1 if object ("/treatment", "/dose_rel_uncertainty", ...) exists in the HDF5 file, 0 if not or unreadable. */
int y90_io_has_object(const char *path, const char *object);
/* Put the finished temporary file tmp in place of path: with force by rename(); without, never replacing a path
 * that appeared meanwhile (the result then stays at tmp and the message says so; Y90_EINPUT). On Y90_EIO the
 * caller removes tmp. */
/* Before any work: the output must not exist (unless force), not be a folder, and its folder be writable. */
y90_status y90_check_output(const char *path, int force, y90_error *err);

y90_status y90_publish(const char *tmp, const char *path, int force, y90_error *err);
/* 1 if the file exists (any type), 0 otherwise. */
int y90_file_exists(const char *path);

#endif
