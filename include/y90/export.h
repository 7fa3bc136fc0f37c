/* y90mc: one voxel quantity of an output file exported to the formats other tools read (sim/io/export*.c,
 * one file per format): NIfTI-1 (libnifti), MetaImage (.mha), DICOM RT Dose (DCMTK), and a colour table that names
 * the labels for 3D Slicer.
 *
 * Frames. The HDF5 file is in DICOM LPS (include/y90/grid.h), voxel axes along +x +y +z. MetaImage and DICOM are
 * LPS too and are written as they are. NIfTI world coordinates are RAS (+x patient right, +y anterior,
 * +z superior: x_RAS = -x_LPS, y_RAS = -y_LPS, z_RAS = z_LPS): the flip is made once, in the NIfTI writer's affine, whose sform and qform are the
 * same matrix diag(-dx, -dy, dz) with translation (-ox, -oy, oz) (o = LPS centre of voxel (0,0,0)); the voxel
 * order is not changed. */
#ifndef Y90_EXPORT_H
#define Y90_EXPORT_H

#include <stdio.h>
#include "y90/common.h"
#include "y90/grid.h"

typedef enum { Y90_Q_DOSE = 0, Y90_Q_UNCERTAINTY, Y90_Q_LABELS, Y90_Q_DENSITY } y90_quantity;

/* One quantity on the grid of an output file. */
typedef struct {
    y90_grid grid;         /* geometry, structures (names, kinds); label/material/density arrays as read */
    y90_quantity quantity;
    const char *name;      /* the HDF5 dataset without '/': dose, dose_rel_uncertainty, labels, density */
    const char *units;     /* Gy, 1, "" (labels), g/cm3 */
    double *values;        /* per voxel, x fastest ([nz][ny][nx]); NULL for labels (grid.label) */
    double max;            /* largest value (labels: largest label) */
} y90_volume;

/* Name of a quantity as the CLI spells it, and back (-1 when unknown). */
const char *y90_quantity_name(y90_quantity q);
int y90_quantity_from_name(const char *s, y90_quantity *q);

/* Read one quantity of an HDF5 output (Y90_EINPUT naming the file and dataset when it is missing). */
y90_status y90_volume_read(const char *h5_path, y90_quantity q, y90_volume *v, y90_error *err);
void y90_volume_free(y90_volume *v);
/* LPS position (mm) of the centre of voxel (0,0,0). */
void y90_volume_origin(const y90_volume *v, double origin[3]);

/* NIfTI-1 single file (.nii or .nii.gz, compressed when the name ends in .gz): float32, labels uint8; sform and
 * qform both NIFTI_XFORM_SCANNER_ANAT, units mm. */
y90_status y90_export_nifti(const y90_volume *v, const char *path, int force, y90_error *err);
/* MetaImage, one file (.mha): float32 (labels uint8), Offset = LPS centre of voxel (0,0,0), identity
 * TransformMatrix. */
y90_status y90_export_mha(const y90_volume *v, const char *path, int force, y90_error *err);
/* 3D Slicer colour table (.ctbl / .txt): "label name R G B A" per structure, so that a label volume loaded with it
 * (or as a segmentation with it as colour node) shows the structures by name. */
y90_status y90_export_colour_table(const y90_volume *v, const char *path, int force, y90_error *err);

/* DICOM RT Dose (dose: DoseType PHYSICAL in GY; uncertainty: DoseType ERROR, RELATIVE). UIDs given here are used
 * (they must be valid UIDs); NULL ones are made fresh. */
typedef struct {
    const char *study_uid;    /* StudyInstanceUID of the patient's CT, or NULL */
    const char *frame_uid;    /* FrameOfReferenceUID of the patient's CT, or NULL */
    const char *patient_id;   /* or NULL (empty) */
    const char *patient_name; /* DICOM PN, e.g. "Doe^Jane", or NULL (empty) */
    int bits;                 /* bits per pixel: 16 (default when 0) or 32 */
} y90_rtdose_options;
/* 1 if s is a valid DICOM UID (digits and dots, at most 64 characters, no empty or zero-led component). */
int y90_uid_valid(const char *s);
y90_status y90_export_rtdose(const y90_volume *v, const char *path, int force, const y90_rtdose_options *o,
                             y90_error *err);

/* Shared by the writers: "<path>.tmp-<pid><suffix>" into tmp; then put it in place (y90_publish) when st is OK,
 * removing it otherwise. y90_export_create checks path (y90_check_output) and opens "<path>.tmp-<pid>" for writing
 * (NULL with the error set); y90_export_close closes it and finishes (failed: the caller's write failed). */
FILE *y90_export_create(const char *path, int force, char *tmp, size_t len, y90_error *err);
y90_status y90_export_close(FILE *f, const char *tmp, const char *path, int force, int failed, y90_error *err);
y90_status y90_export_tmp_name(const char *path, const char *suffix, char *tmp, size_t len, y90_error *err);
y90_status y90_export_finish(const char *tmp, const char *path, int force, y90_status st, y90_error *err);

#endif
