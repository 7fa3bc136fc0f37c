/* y90mc: command-line entry point. Parses the subcommand and hands over; only main exits. */
#include <stdio.h>
#include <string.h>
#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f,
            "y90mc %s (%s): Monte Carlo dosimetry of 90Y microspheres in the liver\n\n"
            "usage:\n"
            "  y90mc run CONFIG -o OUT.h5 [--histories N] [--threads T] [--seed S] [--kernel mc|local] [--force] [--quiet]\n"
            "  y90mc report OUT.h5 [--json] [--dvh-csv FILE] [--png DIR] [--force] [--prescription-gy D]\n"
            "         [--tumour-target-gy D] [--dx 2,50,70,90,98] [--vx-gy 70,100,113,150,205] [--prior-lung-gy D]\n"
            "         [--lung-session-gy D] [--lung-cumulative-gy D] [--normal-liver-limit-gy D]\n"
            "         [--alpha-beta-tumour-gy X] [--alpha-beta-normal-gy X] [--repair-tumour-h T] [--repair-normal-h T]\n"
            "         [--eud-a-tumour A] [--eud-a-normal A]\n"
            "  y90mc plan CONFIG|OUT.h5 --goal treated-liver-mean=113|tumour-d70=205|normal-liver-mean<=70\n"
            "         [--hours-after-calibration H] [--vial-gbq V] [--json] [report options]\n"
            "         [with CONFIG: -o OUT.h5 --force and the run options --histories --threads --seed --kernel --quiet]\n"
            "  y90mc check CONFIG                 validate a config, build its phantom and sources, write nothing\n"
            "  y90mc phantom CONFIG -o PHANTOM.h5 [--force]\n"
            "  y90mc vsv --medium M --density RHO --voxel-mm V [--histories N] [--threads T] [--seed S] -o VSV.csv\n"
            "  y90mc dpk --medium M [--density RHO] [--shell-mm DR] [--histories N] [--threads T] [--seed S] -o DPK.csv\n"
            "  y90mc config-reference             print every config key (Markdown)\n"
            "  y90mc --version | --help\n\n"
            "exit status: 0 success, 1 failure, 2 bad input (config, options, files), 130 interrupted\n",
            y90_version(), y90_git_revision());
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "version")) {
        printf("y90mc %s (git %s)\n", y90_version(), y90_git_revision());
        return 0;
    }
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "run")) return y90_cli_run(argc - 1, argv + 1);
    if (!strcmp(cmd, "report")) return y90_cli_report(argc - 1, argv + 1);
    if (!strcmp(cmd, "plan")) return y90_cli_plan(argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return y90_cli_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "phantom")) return y90_cli_phantom(argc - 1, argv + 1);
    if (!strcmp(cmd, "vsv")) return y90_cli_vsv(argc - 1, argv + 1);
    if (!strcmp(cmd, "dpk")) return y90_cli_dpk(argc - 1, argv + 1);
    if (!strcmp(cmd, "config-reference")) return y90_cli_config_reference(argc - 1, argv + 1);
    fprintf(stderr, "y90mc: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
