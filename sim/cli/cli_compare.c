/* y90mc CLI: compare two dose files (structure metrics, difference map, gamma index). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "y90/compare.h"

static int compare_usage(const char *msg, const char *arg)
{
    fprintf(stderr, "y90mc compare: %s%s%s (see y90mc --help)\n", msg, arg ? ": " : "", arg ? arg : "");
    return 2;
}

int y90_cli_compare(int argc, char **argv)
{
    const char *a = NULL, *b = NULL, *diff = NULL;
    int json = 0, force = 0, ngam = 0;
    double thr = 10, gam[2][2] = {{3, 3}, {2, 2}};
    for (int i = 1; i < argc; i++) {
        const char *s = argv[i];
        if (!strcmp(s, "--json")) json = 1;
        else if (!strcmp(s, "--force")) force = 1;
        else if (!strcmp(s, "--diff-out") && i + 1 < argc) diff = argv[++i];
        else if (!strcmp(s, "--threshold") && i + 1 < argc) {
            char *end;
            thr = strtod(argv[++i], &end);
            if (*end || end == argv[i] || !(thr >= 0 && thr < 100))
                return compare_usage("--threshold: expected a percentage of the maximum in [0, 100)", argv[i]);
        } else if (!strcmp(s, "--gamma") && i + 1 < argc) {
            double dd, dta;
            char extra;
            if (ngam == 2) return compare_usage("--gamma: at most two criteria", argv[i + 1]);
            if (sscanf(argv[++i], "%lf,%lf%c", &dd, &dta, &extra) != 2 || !(dd > 0 && dd < 100) ||
                !(dta > 0 && dta < 100))
                return compare_usage("--gamma: expected DD%,DTAmm, e.g. 3,3 (0 < DD < 100, 0 < DTA < 100)", argv[i]);
            gam[ngam][0] = dd;
            gam[ngam][1] = dta;
            ngam++;
        } else if (s[0] == '-') return compare_usage("unknown option or missing value", s);
        else if (!a) a = s;
        else if (!b) b = s;
        else return compare_usage("more than two files", s);
    }
    if (!a || !b) return compare_usage("expected REFERENCE.h5 EVALUATED.h5", NULL);
    if (ngam == 0) ngam = 2;
    /* each criterion global and local, without and with the files' statistical uncertainty */
    y90_gamma_criteria crit[Y90_COMPARE_MAX_GAMMA];
    int nc = 0;
    for (int g = 0; g < ngam; g++)
        for (int local = 0; local < 2; local++)
            for (int unc = 0; unc < 2; unc++)
                crit[nc++] = (y90_gamma_criteria){gam[g][0], gam[g][1], local, thr, unc};
    y90_compare *c = calloc(1, sizeof *c);
    if (!c) return 1;
    y90_error e = {0};
    int rc = 0;
    if (y90_compare_files(a, b, crit, nc, diff, force, c, &e)) rc = y90_cli_fail(&e);
    else {
        if (json) y90_compare_print_json(c, stdout);
        else y90_compare_print_text(c, stdout);
        if (diff) fprintf(stderr, "wrote %s\n", diff);
    }
    free(c);
    return rc;
}
