/* y90mc CLI: `report` (table, JSON, DVH CSV, pictures) and `plan` (activity for a dose goal). */
#include <errno.h>
#include <stddef.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli.h"
#include "y90/config.h"
#include "y90/io.h"
#include "y90/report.h"

/* "2,50,70" into v (at most Y90_REPORT_MAX_LIST numbers in [lo, hi]). */
static int number_list(const char *cmd, const char *opt, const char *s, double lo, double hi, double *v, int *n)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", s);
    *n = 0;
    for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        if (*n >= Y90_REPORT_MAX_LIST) {
            fprintf(stderr, "y90mc %s: %s '%s': at most %d values\n", cmd, opt, s, Y90_REPORT_MAX_LIST);
            return -1;
        }
        if (y90_cli_number(cmd, opt, t, lo, hi, &v[(*n)++])) return -1;
    }
    if (*n == 0) {
        fprintf(stderr, "y90mc %s: %s '%s': expected a comma-separated list of numbers\n", cmd, opt, s);
        return -1;
    }
    return 0;
}

/* One report option at argv[*i]: 1 taken, 0 not a report option, -1 bad value (message printed). */
static int report_option(const char *cmd, int argc, char **argv, int *i, y90_report_options *o)
{
    static const struct { const char *name; size_t off; double lo, hi; } num[] = {
        {"--prescription-gy", offsetof(y90_report_options, prescription_gy), 1e-6, 1e5},
        {"--tumour-target-gy", offsetof(y90_report_options, tumour_target_gy), 1e-6, 1e5},
        {"--lung-session-gy", offsetof(y90_report_options, lung_session_gy), 0, 1e5},
        {"--lung-cumulative-gy", offsetof(y90_report_options, lung_cumulative_gy), 0, 1e5},
        {"--prior-lung-gy", offsetof(y90_report_options, prior_lung_gy), 0, 1e5},
        {"--normal-liver-limit-gy", offsetof(y90_report_options, normal_liver_limit_gy), 0, 1e5},
        {"--alpha-beta-tumour-gy", offsetof(y90_report_options, ab_tumour_gy), 1e-3, 1e3},
        {"--alpha-beta-normal-gy", offsetof(y90_report_options, ab_normal_gy), 1e-3, 1e3},
        {"--repair-tumour-h", offsetof(y90_report_options, trep_tumour_h), 1e-3, 1e3},
        {"--repair-normal-h", offsetof(y90_report_options, trep_normal_h), 1e-3, 1e3},
        {"--eud-a-tumour", offsetof(y90_report_options, eud_a_tumour), -100, 100},
        {"--eud-a-normal", offsetof(y90_report_options, eud_a_normal), -100, 100},
    };
    const char *a = argv[*i];
    if (*i + 1 >= argc) return 0;
    for (size_t k = 0; k < sizeof num / sizeof *num; k++)
        if (!strcmp(a, num[k].name))
            return y90_cli_number(cmd, a, argv[++*i], num[k].lo, num[k].hi, (double *)((char *)o + num[k].off)) ? -1 : 1;
    if (!strcmp(a, "--dx")) return number_list(cmd, a, argv[++*i], 0, 100, o->dx_pct, &o->ndx) ? -1 : 1;
    if (!strcmp(a, "--vx-gy")) return number_list(cmd, a, argv[++*i], 0, 1e5, o->vx_gy, &o->nvx) ? -1 : 1;
    return 0;
}

int y90_cli_report(int argc, char **argv)
{
    const char *path = NULL, *dvh = NULL, *png = NULL;
    int json = 0, force = 0;
    y90_report_options o;
    y90_report_options_default(&o);
    for (int i = 1; i < argc; i++) {
        int took = report_option("report", argc, argv, &i, &o);
        if (took < 0) return 2;
        if (took) continue;
        if (!strcmp(argv[i], "--json")) json = 1;
        else if (!strcmp(argv[i], "--force")) force = 1;
        else if (!strcmp(argv[i], "--dvh-csv") && i + 1 < argc) dvh = argv[++i];
        else if (!strcmp(argv[i], "--png") && i + 1 < argc) png = argv[++i];
        else if (argv[i][0] == '-') return y90_cli_usage_error("report", "unknown option or missing value", argv[i]);
        else if (!path) path = argv[i];
        else return y90_cli_usage_error("report", "more than one file", argv[i]);
    }
    if (!path) return y90_cli_usage_error("report", "expected OUT.h5", NULL);
    if (dvh && !force && y90_file_exists(dvh))
        return y90_cli_usage_error("report", "--dvh-csv file exists; use --force to overwrite", dvh);
    if (dvh && y90_same_file(path, dvh)) return y90_cli_usage_error("report", "--dvh-csv would overwrite the dose file itself", dvh);
    y90_error e = {0};
    y90_report r;
    int rc = 0;
    if (y90_report_compute(path, &o, &r, &e)) return y90_cli_fail(&e);
    if (json) y90_report_print_json(&r, stdout);
    else y90_report_print_text(&r, stdout);
    if (dvh && y90_report_write_dvh_csv(path, dvh, force, &e)) rc = y90_cli_fail(&e);
    if (!rc && png && y90_report_write_png(path, &r, png, stderr, &e)) rc = y90_cli_fail(&e);
    y90_report_free(&r);
    return rc;
}

static int is_hdf5(const char *path)
{
    FILE *f = fopen(path, "rb");
    unsigned char sig[8] = {0};
    int ok = f && fread(sig, 1, 8, f) == 8 && memcmp(sig, "\211HDF\r\n\032\n", 8) == 0;
    if (f) fclose(f);
    return ok;
}

/* Options of `run` that `plan CONFIG` passes on to it: 1 takes a value, 0 a flag, -1 not a run option. */
static int run_option_arity(const char *a)
{
    static const char *const with_value[] = {"-o", "--histories", "--threads", "--seed", "--kernel", "--set",
                                             "--kernel-cache"};
    for (size_t k = 0; k < sizeof with_value / sizeof *with_value; k++)
        if (!strcmp(a, with_value[k])) return 1;
    return !strcmp(a, "--force") || !strcmp(a, "--quiet") ? 0 : -1;
}

/* `plan CONFIG`: run the config through `run` itself with the run options given to plan (into -o OUT.h5, or a
 * temporary file removed afterwards). */
static int plan_simulate(const char *cfgpath, const char **run_args, int nrun, const char *out, char *h5, size_t len)
{
    if (out) snprintf(h5, len, "%s", out);
    else {
        const char *tmp = getenv("TMPDIR");
        snprintf(h5, len, "%s/y90mc-plan-%ld.h5", tmp && tmp[0] ? tmp : "/tmp", (long)getpid());
    }
    const char **av = calloc((size_t)nrun + 6, sizeof *av);
    if (!av) return 1;
    int n = 0;
    av[n++] = "run";
    av[n++] = cfgpath;
    for (int k = 0; k < nrun; k++) av[n++] = run_args[k];
    if (!out) {
        av[n++] = "-o";
        av[n++] = h5;
        av[n++] = "--force";
    }
    fprintf(stderr, "plan: simulating %s into %s\n", cfgpath, h5);
    int rc = y90_cli_run(n, (char **)av);
    free(av);
    return rc;
}

static void json_pair(const char *key, double v, const char *sep)
{
    if (isfinite(v)) printf("\"%s\": %.10g%s", key, v, sep);
    else printf("\"%s\": null%s", key, sep);
}

/* The plan as one JSON object (GBq, h, Gy; null where not available). */
static void print_plan_json(const y90_plan *p)
{
    printf("{");
    json_pair("activity_gbq", p->activity_gbq, ", ");
    json_pair("activity_calibration_gbq", p->activity_calibration_gbq, ", ");
    json_pair("hours_after_calibration", p->hours_after_calibration, ", ");
    json_pair("vial_gbq", p->vial_gbq, ", ");
    json_pair("vial_hours_after_calibration", p->vial_hours, ", ");
    json_pair("scale", p->scale, ", ");
    json_pair("simulated_gy", p->simulated_gy, ", ");
    json_pair("mird_gbq", p->mird_gbq, ", ");
    json_pair("partition_gbq", p->partition_gbq, ", ");
    json_pair("treated_liver_mean_gy", p->treated_liver_mean_gy, ", ");
    json_pair("tumour_d70_gy", p->tumour_d70_gy, ", ");
    json_pair("whole_normal_liver_mean_gy", p->whole_normal_liver_mean_gy, ", ");
    json_pair("lung_mean_gy", p->lung_mean_gy, ", ");
    json_pair("lung_1kg_gy", p->lung_1kg_gy, ", ");
    printf("\"lung_session_ok\": %s, \"lung_cumulative_ok\": %s, \"normal_liver_ok\": %s}\n",
           p->lung_session_ok ? "true" : "false", p->lung_cumulative_ok ? "true" : "false",
           p->normal_liver_ok ? "true" : "false");
}

int y90_cli_plan(int argc, char **argv)
{
    const char *input = NULL, *goal_s = NULL, *out = NULL;
    int json = 0;
    y90_report_options o;
    y90_report_options_default(&o);
    const char *run_args[128]; /* run options passed on to `run` by plan CONFIG */
    int nrun = 0;
    y90_plan_options po = {.hours_after_calibration = NAN, .vial_gbq = 0};
    for (int i = 1; i < argc; i++) {
        int took = report_option("plan", argc, argv, &i, &o);
        if (took < 0) return 2;
        if (took) continue;
        const char *a = argv[i];
        int arity = run_option_arity(a);
        if (arity >= 0 && i + arity < argc) { /* checked by `run` */
            if (nrun + 2 > (int)(sizeof run_args / sizeof *run_args))
                return y90_cli_usage_error("plan", "too many run options", a);
            if (!strcmp(a, "-o")) out = argv[i + 1];
            run_args[nrun++] = a;
            if (arity) run_args[nrun++] = argv[++i];
            continue;
        }
        if (!strcmp(a, "--goal") && i + 1 < argc) goal_s = argv[++i];
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--hours-after-calibration") && i + 1 < argc) {
            if (y90_cli_number("plan", a, argv[++i], 0, 1e4, &po.hours_after_calibration)) return 2;
        } else if (!strcmp(a, "--vial-gbq") && i + 1 < argc) {
            if (y90_cli_number("plan", a, argv[++i], 1e-3, 1e3, &po.vial_gbq)) return 2;
        } else if (a[0] == '-') return y90_cli_usage_error("plan", "unknown option or missing value", a);
        else if (!input) input = a;
        else return y90_cli_usage_error("plan", "more than one input", a);
    }
    y90_goal goal;
    if (!input || !goal_s) return y90_cli_usage_error("plan", "expected CONFIG or OUT.h5 and --goal", NULL);
    if (y90_goal_parse(goal_s, &goal))
        return y90_cli_usage_error("plan", "--goal: expected treated-liver-mean=GY, tumour-d70=GY or normal-liver-mean<=GY",
                            goal_s);
    char h5[4096];
    int simulated = !is_hdf5(input), rc = 0;
    if (!simulated && nrun > 0)
        return y90_cli_usage_error("plan", "run options (-o, --histories, --set, ...) need a CONFIG, not a finished run",
                                   run_args[0]);
    if (simulated) {
        rc = plan_simulate(input, run_args, nrun, out, h5, sizeof h5);
        if (rc) return rc;
    } else snprintf(h5, sizeof h5, "%s", input);
    y90_error e = {0};
    y90_report r;
    y90_plan p;
    if (y90_report_compute(h5, &o, &r, &e)) rc = y90_cli_fail(&e);
    else {
        if (y90_plan_compute(&r, &goal, &po, &p, &e)) rc = y90_cli_fail(&e);
        else if (json) print_plan_json(&p);
        else y90_plan_print(&r, &p, stdout);
        y90_report_free(&r);
    }
    if (simulated && !out) remove(h5);
    return rc;
}
