/* y90mc: command-line entry point. Parses the subcommand and hands over; only main exits. */
#include <gsl/gsl_errno.h>
#include <stdio.h>
#include <string.h>
#include "cli.h"
#include "y90/io.h"
#include "y90/run.h"

static void usage(FILE *f)
{
    fprintf(f,
            "y90mc %s (%s): Monte Carlo dosimetry of 90Y microspheres in the liver\n\n"
            "usage:\n"
            "  y90mc run CONFIG -o OUT.h5 [--set KEY=VALUE]... [--histories N] [--threads T] [--seed S] [--kernel K]\n"
            "                             [--kernel-cache DIR] [--part I/N] [--force] [--quiet]   K: mc|local|dvk|dvk_density\n"
            "                             [--checkpoint-every DURATION] [--resume]   checkpoint OUT.h5.ckpt, continue it\n"
            "                             [--time-limit DURATION] [--target-uncertainty PCT [--target-structure NAME]]\n"
            "  mpirun -np N y90mc run ... | sweep ...   (MPI build) histories or sweep points spread over N ranks\n"
            "  y90mc merge PART.h5... -o OUT.h5 [--force]   combine the parts of a run (--part I/N), bit for bit\n"
            "  y90mc report OUT.h5 [--json] [--prescription-gy D] [--dvh-csv FILE] [--force]\n"
            "  y90mc export OUT.h5 --format nifti|mha|rtdose [-o FILE] [--quantity dose|uncertainty|labels|density]\n"
            "               [--study-uid UID] [--frame-uid UID] [--patient-id ID] [--patient-name NAME] [--bits 16|32] [--force]\n"
            "  y90mc compare A.h5 B.h5 [--gamma DD,DTA]... [--threshold PCT] [--diff-out DIFF.h5] [--json] [--force]\n"
            "                                     structures, difference map, gamma (A reference, B evaluated)\n"
            "  y90mc check CONFIG [--set KEY=VALUE]...   validate a config, build its phantom and sources, write nothing\n"
            "  y90mc phantom CONFIG -o PHANTOM.h5 [--set KEY=VALUE]... [--force]\n"
            "  --set KEY=VALUE overrides any config key (y90mc config-reference), validated like the file; repeatable\n"
            "  y90mc vsv --medium M --density RHO --voxel-mm V [--histories N] [--threads T] [--seed S] -o VSV.csv\n"
            "  y90mc dpk --medium M [--density RHO] [--shell-mm DR] [--histories N] [--threads T] [--seed S] -o DPK.csv\n"
            "  y90mc sweep SWEEP.yaml [--quiet]     run every point of a sweep, skipping finished ones; write the summary\n"
            "  y90mc sweep SWEEP.yaml --index I     run point I only (job arrays)\n"
            "  y90mc sweep SWEEP.yaml --list | --collect\n"
            "  y90mc sweep SWEEP.yaml --slurm [--partition P] [--time T] [--cpus-per-task C] [--mem-gb G]\n"
            "  y90mc config-reference             print every config key (Markdown)\n"
            "  y90mc --version | --help\n\n"
            "exit status: 0 success, 1 failure, 2 bad input (config, options, files), 130 interrupted\n",
            y90_version(), y90_git_revision());
}

static int dispatch(int argc, char **argv);

int main(int argc, char **argv)
{
    /* GSL's default error handler aborts the process; off, its calls return their error (its allocations NULL),
     * which the library checks and reports with file and line like any other error */
    gsl_set_error_handler_off();
    y90_set_command_line(argc, argv); /* recorded in run files */
    y90_mpi_init(&argc, &argv); /* only under mpirun; every rank runs the same command */
    int rc = dispatch(argc, argv);
    y90_mpi_finalize();
    return rc;
}

static int dispatch(int argc, char **argv)
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
    if (!strcmp(cmd, "compare")) return y90_cli_compare(argc - 1, argv + 1);
    if (!strcmp(cmd, "export")) return y90_cli_export(argc - 1, argv + 1);
    if (!strcmp(cmd, "check")) return y90_cli_check(argc - 1, argv + 1);
    if (!strcmp(cmd, "phantom")) return y90_cli_phantom(argc - 1, argv + 1);
    if (!strcmp(cmd, "vsv")) return y90_cli_vsv(argc - 1, argv + 1);
    if (!strcmp(cmd, "dpk")) return y90_cli_dpk(argc - 1, argv + 1);
    if (!strcmp(cmd, "merge")) return y90_cli_merge(argc - 1, argv + 1);
    if (!strcmp(cmd, "sweep")) return y90_cli_sweep(argc - 1, argv + 1);
    if (!strcmp(cmd, "config-reference")) return y90_cli_config_reference(argc - 1, argv + 1);
    fprintf(stderr, "y90mc: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
