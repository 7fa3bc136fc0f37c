/* y90mc: common definitions: units, physical constants, status codes and errors.
 *
 * Units inside the code (converted only at input and output):
 *   length mm, energy MeV, mass density g/cm3, activity Bq, time s, absorbed dose Gy.
 * Physics tables keep the customary mass units (MeV cm2/g, g/cm2) and are
 * converted with density and Y90_MM_PER_CM where they meet the geometry.
 */
#ifndef Y90_COMMON_H
#define Y90_COMMON_H

#include <stddef.h>
#include <stdint.h>

/* CODATA 2018 (Tiesinga et al., Rev Mod Phys 93 (2021) 025010). */
#define Y90_ELECTRON_MASS_MEV 0.51099895000   /* m_e c^2, MeV */
#define Y90_CLASSICAL_RADIUS_CM 2.8179403262e-13 /* r_e, cm */
#define Y90_FINE_STRUCTURE 7.2973525693e-3    /* alpha */
#define Y90_AVOGADRO 6.02214076e23            /* 1/mol (exact, SI 2019) */
#define Y90_J_PER_MEV 1.602176634e-13         /* J per MeV (exact, SI 2019) */
#define Y90_MM_PER_CM 10.0
#define Y90_PI 3.14159265358979323846

/* Status codes returned by every library function (0 = success). */
typedef enum {
    Y90_OK = 0,
    Y90_EINPUT = 2,    /* the user's input (config, file, option) is wrong */
    Y90_EIO = 3,       /* reading or writing a file failed */
    Y90_ENOMEM = 4,    /* out of memory, or a request too large for memory */
    Y90_EINTERNAL = 5, /* a bug: an invariant did not hold */
    Y90_EINTERRUPTED = 6 /* stopped by a signal before finishing */
} y90_status;

/* An error record: where in the code it was raised and a message for the user. */
typedef struct {
    y90_status code;
    const char *src_file; /* source file that raised it */
    int src_line;         /* line in that source file */
    char msg[1024];       /* e.g. "configs/x.yaml:14: treatment.lung_shunt_fraction = 1.3: must be in [0, 1]" */
} y90_error;

/* Record an error (printf-style message) and return its code; e may be NULL. */
y90_status y90_error_set(y90_error *e, y90_status code, const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;

#define Y90_FAIL(err, code, ...) y90_error_set((err), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Allocation helpers that check the size and set Y90_ENOMEM with a message naming what was asked. */
void *y90_calloc(size_t n, size_t size, const char *what, y90_error *err);

/* Bytes a run may use: max_memory_gb (output.max_memory_gb) when > 0, else 80 % of physical memory
 * (0 when that cannot be read). */
size_t y90_memory_limit_bytes(double max_memory_gb);

/* Seconds on the monotonic clock (differences only: run times, progress, time limits). */
double y90_wall_s(void);

/* Version and git revision compiled in (generated version.h). */
const char *y90_version(void);
const char *y90_git_revision(void);

#endif
