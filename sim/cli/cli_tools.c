/* y90mc CLI: the kernel tools `vsv` and `dpk`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "y90/io.h"
#include "y90/run.h"
#include "y90/tools.h"

/* A whole number in [lo, hi] (histories, threads, seed: 1.5 is an error, not 1). */
static int whole(const char *cmd, const char *opt, const char *s, double lo, double hi, double *v)
{
    if (y90_cli_number(cmd, opt, s, lo, hi, v)) return -1;
    if (*v != floor(*v)) {
        fprintf(stderr, "y90mc %s: %s '%s': expected a whole number\n", cmd, opt, s);
        return -1;
    }
    return 0;
}

/* Options shared by vsv and dpk, and the progress line (in ps). Returns 0, or an exit status. */
static int parse_tool(const char *cmd, int argc, char **argv, y90_tool_options *o, const char **out, int *force,
                      y90_cli_progress_state *ps)
{
    double v;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--force")) { *force = o->force = 1; continue; }
        if (!val) return y90_cli_usage_error(cmd, "missing value or unknown option", a);
        i++;
        if (!strcmp(a, "-o")) *out = val;
        else if (!strcmp(a, "--medium")) o->medium = val;
        else if (!strcmp(a, "--density")) { if (y90_cli_number(cmd, a, val, 0.001, 25, &o->density)) return 2; }
        else if (!strcmp(a, "--voxel-mm")) { if (y90_cli_number(cmd, a, val, 0.01, 50, &o->voxel_mm)) return 2; }
        else if (!strcmp(a, "--shell-mm")) { if (y90_cli_number(cmd, a, val, 0.001, 5, &o->shell_mm)) return 2; }
        else if (!strcmp(a, "--shell-um")) { if (y90_cli_number(cmd, a, val, 0.01, 1000, &o->shell_um)) return 2; }
        else if (!strcmp(a, "--diameter-um")) { if (y90_cli_number(cmd, a, val, 1, 1000, &o->diameter_um)) return 2; }
        else if (!strcmp(a, "--sphere")) {
            if (strcmp(val, "glass") && strcmp(val, "resin"))
                return y90_cli_usage_error(cmd, "--sphere: expected glass or resin", val);
            o->sphere = val;
        }
        else if (!strcmp(a, "--histories")) { if (whole(cmd, a, val, 1, 1e12, &v)) return 2; o->histories = (int64_t)v; }
        else if (!strcmp(a, "--threads")) { if (whole(cmd, a, val, 0, 4096, &v)) return 2; o->threads = (int)v; }
        else if (!strcmp(a, "--seed")) { if (whole(cmd, a, val, 0, 9e15, &v)) return 2; o->seed = (uint64_t)v; }
        else return y90_cli_usage_error(cmd, "unknown option", a);
    }
    if (!*out) return y90_cli_usage_error(cmd, "expected -o FILE.csv", NULL);
    if (!y90_tool_medium(o->medium)) return y90_cli_usage_error(cmd, "--medium: expected water, soft, bone or a built-in material", o->medium);
    y90_error e = {0};
    if (y90_check_output(*out, *force, &e)) return y90_cli_fail(&e);
    y90_remove_stale_temps(*out, stderr);
    y90_cli_progress_init(ps, cmd, 0);
    o->progress = y90_cli_progress;
    o->progress_user = ps;
    return 0;
}

int y90_cli_vsv(int argc, char **argv)
{
    y90_tool_options o = {.medium = "soft", .density = 0, .voxel_mm = 0, .histories = 1000000, .seed = 1};
    const char *out = NULL;
    y90_cli_progress_state ps;
    int force = 0, rc = parse_tool("vsv", argc, argv, &o, &out, &force, &ps);
    if (rc) return rc;
    if (o.voxel_mm <= 0) return y90_cli_usage_error("vsv", "expected --voxel-mm V", NULL);
    if (o.sphere || o.diameter_um > 0 || o.shell_um > 0)
        return y90_cli_usage_error("vsv", "--sphere, --diameter-um and --shell-um are dpk options", NULL);
    y90_vsv_result r;
    y90_error e = {0};
    if (y90_vsv_compute(&o, &r, &e) || y90_vsv_write_csv(out, &o, &r, &e)) return y90_cli_fail(&e);
    fprintf(stderr, "vsv: S(0,0,0) = %.4g, S(0,0,1) = %.4g, S(0,1,1) = %.4g, S(1,1,1) = %.4g mGy/(MBq s); energy "
            "in the simulated medium %.4f of emitted; %lld histories in %.1f s\nwrote %s\n", r.S[0][0][0],
            r.S[0][0][1], r.S[0][1][1], r.S[1][1][1], r.energy_fraction, (long long)r.histories, r.runtime_s, out);
    return 0;
}

int y90_cli_dpk(int argc, char **argv)
{
    y90_tool_options o = {.medium = "water", .density = 0, .shell_mm = 0.1, .histories = 1000000, .seed = 1};
    const char *out = NULL;
    y90_cli_progress_state ps;
    int force = 0, rc = parse_tool("dpk", argc, argv, &o, &out, &force, &ps);
    if (rc) return rc;
    if (o.diameter_um > 0 && !o.sphere) return y90_cli_usage_error("dpk", "--diameter-um needs --sphere glass|resin", NULL);
    if (o.sphere && o.shell_um <= 0) o.shell_um = 1.0; /* um shells near the sphere */
    y90_dpk_result r;
    y90_error e = {0};
    if (y90_dpk_compute(&o, &r, &e)) return y90_cli_fail(&e);
    if (y90_dpk_write_csv(out, &o, &r, &e)) {
        y90_dpk_free(&r);
        return y90_cli_fail(&e);
    }
    printf("R50 = %.3f mm\nR90 = %.3f mm\n", r.r50_mm, r.r90_mm);
    if (o.sphere)
        printf("absorbed in the %s sphere (%g um, %g g/cm3): %.5f of the emitted energy\n", o.sphere,
               2e3 * r.sphere_radius_mm, r.sphere_density, r.sphere_fraction);
    fprintf(stderr, "dpk: %lld histories in %.1f s (%.3g histories/s); wrote %s\n", (long long)r.histories,
            r.runtime_s, r.histories / r.runtime_s, out);
    y90_dpk_free(&r);
    return 0;
}
