/* y90mc benchmark: step-size convergence of the water dose point kernel. For each maximum fractional energy loss
 * per step (transport.max_eloss_fraction), B independent batches (seeds 1..B) of N histories of the 90Y point
 * source in water (0.1 mm shells, the `y90mc dpk` tool); prints R50 and R90 with the standard error of their batch
 * mean, and the histories per second.
 * Usage: y90bench_steps [--histories N] [--batches B] [--threads T] [--spin 0|1] [--fractions F1,F2,...]
 *                       [--cutoff-kev E] [--straggling 0|1] [--secondaries 0|1] [--step presta2|hinge]
 * Other transport settings: the config defaults (10 keV cutoffs; --cutoff-kev sets the electron cutoff;
 * --straggling 0 and --secondaries 0 switch those off, to find where a step-size drift comes from; --step sets
 * transport.step_algorithm). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/config.h"
#include "y90/tools.h"

int main(int argc, char **argv)
{
    long long n = 1000000;
    int batches = 4, threads = 0, spin = 0, nf = 0, strag = 1, sec = 1, step = Y90_STEP_PRESTA2;
    double fr[32], cutoff_kev = 0;
    static const char usage[] = "usage: y90bench_steps [--histories N] [--batches B] [--threads T] [--spin 0|1] "
                                "[--fractions F1,F2,...] [--cutoff-kev E] [--straggling 0|1] [--secondaries 0|1] "
                                "[--step presta2|hinge]\n";
    if (argc % 2 == 0) { /* an option without its value, or --help */
        fputs(usage, strcmp(argv[argc - 1], "--help") ? stderr : stdout);
        return strcmp(argv[argc - 1], "--help") ? 2 : 0;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--histories")) n = atoll(argv[i + 1]);
        else if (!strcmp(argv[i], "--batches")) batches = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--threads")) threads = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--spin")) spin = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--cutoff-kev")) cutoff_kev = atof(argv[i + 1]);
        else if (!strcmp(argv[i], "--straggling")) strag = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--secondaries")) sec = atoi(argv[i + 1]);
        else if (!strcmp(argv[i], "--step") && !strcmp(argv[i + 1], "presta2")) step = Y90_STEP_PRESTA2;
        else if (!strcmp(argv[i], "--step") && !strcmp(argv[i + 1], "hinge")) step = Y90_STEP_HINGE;
        else if (!strcmp(argv[i], "--fractions")) {
            char *s = argv[i + 1], *end;
            while (nf < 32 && *s) {
                fr[nf++] = strtod(s, &end);
                if (end == s) break;
                s = *end == ',' ? end + 1 : end;
            }
        } else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (!nf) {
        static const double def[] = {0.02, 0.05, 0.1, 0.2, 0.3};
        memcpy(fr, def, sizeof def);
        nf = 5;
    }
    if (n < 1 || batches < 2) { fprintf(stderr, "y90bench_steps: expected --histories >= 1, --batches >= 2\n"); return 2; }
    printf("# y90bench_steps: y90mc %s (git %s), water point source, spin %s, electron cutoff %g keV, straggling %s, "
           "secondaries %s, step %s, %d batches of %lld histories\n",
           y90_version(), y90_git_revision(), spin ? "on" : "off", cutoff_kev > 0 ? cutoff_kev : 10.0,
           strag ? "on" : "off", sec ? "on" : "off", step == Y90_STEP_HINGE ? "hinge" : "presta2", batches, n);
    printf("max_eloss_fraction,R50_mm,R50_se_mm,R90_mm,R90_se_mm,histories_per_s\n");
    for (int f = 0; f < nf; f++) {
        y90_config c;
        y90_config_defaults(&c);
        c.transport.spin = spin;
        c.transport.max_eloss_fraction = fr[f];
        c.transport.straggling = strag;
        c.transport.secondaries = sec;
        c.transport.step_algorithm = step;
        if (cutoff_kev > 0) c.transport.cutoff_kev = cutoff_kev;
        double s50 = 0, q50 = 0, s90 = 0, q90 = 0, t = 0;
        for (int b = 0; b < batches; b++) {
            y90_tool_options o = {.medium = "water", .shell_mm = 0.1, .histories = n, .threads = threads,
                                  .seed = (uint64_t)b + 1, .transport = &c.transport};
            y90_dpk_result r;
            y90_error e = {0};
            if (y90_dpk_compute(&o, &r, &e)) { fprintf(stderr, "dpk: %s\n", e.msg); return 1; }
            s50 += r.r50_mm;
            q50 += r.r50_mm * r.r50_mm;
            s90 += r.r90_mm;
            q90 += r.r90_mm * r.r90_mm;
            t += r.runtime_s;
            y90_dpk_free(&r);
        }
        double m50 = s50 / batches, m90 = s90 / batches;
        double e50 = sqrt(fmax(q50 / batches - m50 * m50, 0) / (batches - 1));
        double e90 = sqrt(fmax(q90 / batches - m90 * m90, 0) / (batches - 1));
        printf("%g,%.4f,%.4f,%.4f,%.4f,%.0f\n", fr[f], m50, e50, m90, e90, (double)n * batches / t);
        fflush(stdout);
        y90_config_free(&c);
    }
    return 0;
}
