/* Test support shared by every CUnit program. */
#ifndef Y90_TESTUTIL_H
#define Y90_TESTUTIL_H
#include <CUnit/CUnit.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

/* Each test program defines this: add its suites and tests to the CUnit registry. */
void y90t_register(void);

/* A fresh directory for this test program's files: mkdtemp under $TMPDIR (default /tmp). */
const char *y90t_dir(void);
/* At exit of a test program: remove y90t_dir() and all in it when every test passed, else keep it and say where. */
void y90t_cleanup(int passed);
/* Path inside y90t_dir() (static buffer rotated among 8). */
const char *y90t_path(const char *name);
/* A path the caller keeps (y90t_path's buffers rotate). */
typedef struct { char s[2048]; } y90t_pathbuf;
/* Path inside y90t_dir() of the printf-formatted name, by value. */
y90t_pathbuf y90t_tpath(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* y90t_write returning its path by value (the path even when the write failed: what reads it then fails). */
y90t_pathbuf y90t_twrite(const char *name, const char *text);
/* Write text to a file in y90t_dir(); returns its path (static buffer rotated among 8). */
const char *y90t_write(const char *name, const char *text);
/* Run the y90mc CLI with arguments (a shell word string); returns its exit status; stdout+stderr go to
 * *output (malloc'd, may be NULL). */
int y90t_cli(const char *args, char **output);
/* y90t_cli with printf-style arguments; *out (may be NULL) gets stdout+stderr (free it). */
int y90t_clif(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Assert that text (may be NULL) holds sub; print both when it does not. */
#define Y90T_HAS(text, sub)                                                                                     \
    do {                                                                                                        \
        const char *m_ = (const char *)(text);                                                                  \
        if (!m_) m_ = "";                                                                                       \
        int has_ = strstr(m_, (sub)) != NULL;                                                                   \
        if (!has_) fprintf(stderr, "\n    output \"%s\"\n    lacks \"%s\" ", m_, (sub));                        \
        CU_ASSERT(has_);                                                                                        \
    } while (0)
/* The y90mc binary the tests run: $Y90T_CLI when set (to run the tests against another build), else this build's. */
const char *y90t_cli_path(void);
/* Path of a file in the project's tests/reference folder. */
const char *y90t_ref(const char *relpath);
/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
char *y90t_slurp(const char *path, size_t *len);
/* Run a config through the library (y90_run) into y90t_path(out_name), then read back its grid, dose and
 * uncertainty (malloc'd; free with y90_grid_free and free). Returns 0, or -1 after printing the error. */
#include "y90/config.h"
int y90t_run_read(const y90_config *c, const char *out_name, y90_grid *g, double **dose, float **unc);

/* Rows of an ESTAR-format CSV in tests/reference (lines starting with '#' and the header skipped): columns
 * T (MeV), S_col, S_rad, S_tot (MeV cm2/g), CSDA range (g/cm2), radiation yield, density effect. Returns the rows
 * read (at most max). */
int y90t_read_estar(const char *relpath, double (*rows)[7], int max);
/* R50 and R90 with their standard errors, v = {R50, se, R90, se}, from the header line "# R50 = a +- b UNIT, R90 = c +-
 * d UNIT" of the project's EGSnrc point-kernel files (tests/reference/egsnrc, unit "mm" or "r0"). 1, or 0 if absent. */
int y90t_ref_radii(const char *relpath, const char *unit, double v[4]);
/* The ICRP-107 90Y spectrum of tests/reference: energy (MeV) and N (per MeV per decay). Returns the points read. */
int y90t_read_spectrum(double *e, double *n, int max);

/* Run a shell command (printf-style); *out (may be NULL) gets stdout+stderr (free it). Returns its exit status. */
int y90t_sh(char **out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The raw bytes of a whole HDF5 dataset in its file type (malloc'd, *n bytes), or NULL. */
unsigned char *y90t_dataset_bytes(const char *path, const char *name, size_t *n);
/* 1 when dataset `name` holds the same bytes in both files (else 0, saying which). */
int y90t_same_dataset(const char *a, const char *b, const char *name);

/* A 50 mm water box with the local kernel: a run of well under a second (config text). */
extern const char *const y90t_box_yaml;
/* A run file of y90t_box_yaml at path, via the CLI (--force); a failed run fails the test. */
void y90t_box_run(const char *path);
/* 1 if path exists (any type; a link is not followed), else 0. */
int y90t_exists(const char *path);

/* Relative difference |a-b|/|b|. */
double y90t_rel(double a, double b);
/* Chi-square p value of a cluster-size histogram counts[1..kmax] (n clusters) against the configured distribution
 * (y90_cluster_pmf), bins merged from the top so that each expects at least 5; *dof the degrees of freedom. */
double y90t_cluster_chi2_p(const y90_source_params *sp, const size_t *counts, long kmax, size_t n, int *dof);

#endif
