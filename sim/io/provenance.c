/* Provenance of the process that writes a run file: the machine, the build, the libraries and the command line
 * (root attributes listed in include/y90/io.h). */
#include <fftw3.h>
#include <gsl/gsl_version.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <hdf5.h>
#ifdef Y90_WITH_MPI
#include <mpi.h>
#endif
#include "y90/io.h"
#include "y90/version.h"

static char command_line[4096];

static void put(size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (*len + n + 1 > sizeof command_line) return; /* what does not fit is left out */
    memcpy(command_line + *len, s, n + 1);
    *len += n;
}

void y90_set_command_line(int argc, char **argv)
{
    size_t len = 0;
    command_line[0] = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (i) put(&len, " ");
        if (a[0] && !strpbrk(a, " \t\n'\"\\$`*?;&|<>()")) {
            put(&len, a);
            continue;
        }
        put(&len, "'"); /* single quotes, a quote inside as '\'' */
        for (const char *c = a; *c; c++) {
            char one[2] = {*c, 0};
            put(&len, *c == '\'' ? "'\\''" : one);
        }
        put(&len, "'");
    }
}

/* "model name" (x86) or "Processor"/"cpu model" (other architectures) of /proc/cpuinfo. */
static void cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "r");
    if (!f) return;
    char line[512];
    static const char *const keys[] = {"model name", "cpu model", "Processor", "uarch"};
    while (fgets(line, sizeof line, f)) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            size_t kl = strlen(keys[k]);
            char *colon = strchr(line, ':');
            if (strncmp(line, keys[k], kl) || !colon) continue;
            char *v = colon + 1;
            v += strspn(v, " \t");
            v[strcspn(v, "\n")] = 0;
            if (!*v) continue;
            snprintf(buf, len, "%s", v);
            fclose(f);
            return;
        }
    }
    fclose(f);
}

int y90_io_provenance(y90_provenance_attr *a, int max)
{
    static char cpu[256], hdf5[32], gsl[32], mpi[256];
    cpu_model(cpu, sizeof cpu);
    unsigned maj = 0, min = 0, rel = 0;
    H5get_libversion(&maj, &min, &rel);
    snprintf(hdf5, sizeof hdf5, "%u.%u.%u", maj, min, rel);
    snprintf(gsl, sizeof gsl, "%s", gsl_version);
    snprintf(mpi, sizeof mpi, "none");
#ifdef Y90_WITH_MPI
    int n = 0;
    char lib[MPI_MAX_LIBRARY_VERSION_STRING];
    if (MPI_Get_library_version(lib, &n) == MPI_SUCCESS) { /* callable before MPI_Init; the first line */
        lib[n < MPI_MAX_LIBRARY_VERSION_STRING ? n : MPI_MAX_LIBRARY_VERSION_STRING - 1] = 0;
        lib[strcspn(lib, "\n,")] = 0;
        snprintf(mpi, sizeof mpi, "%s", lib);
    }
#endif
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const y90_provenance_attr all[] = {
        {"cpu_model", cpu, 0},
        {"cpu_cores", NULL, cores > 0 ? (int)cores : 0},
        {"compiler", Y90_COMPILER_STRING, 0},
        {"compile_flags", Y90_COMPILE_FLAGS_STRING, 0},
        {"build_type", Y90_BUILD_TYPE_STRING, 0},
        {"openmp", NULL, _OPENMP},
        {"hdf5_version", hdf5, 0},
        {"gsl_version", gsl, 0},
        {"fftw_version", fftw_version, 0},
        {"mpi_library", mpi, 0},
        {"command_line", command_line[0] ? command_line : "(library call)", 0},
    };
    int n_all = (int)(sizeof all / sizeof all[0]);
    if (n_all > max) n_all = max;
    memcpy(a, all, (size_t)n_all * sizeof *a);
    return n_all;
}
