/* y90mc command-line front end: one function per subcommand (sim/cli*.c). Each returns an exit status. */
#ifndef Y90_CLI_H
#define Y90_CLI_H

#include "y90/common.h"
#include "y90/config.h"

int y90_cli_check(int argc, char **argv);
int y90_cli_phantom(int argc, char **argv);
int y90_cli_run(int argc, char **argv);
int y90_cli_report(int argc, char **argv);
int y90_cli_plan(int argc, char **argv);
int y90_cli_vsv(int argc, char **argv);
int y90_cli_dpk(int argc, char **argv);
int y90_cli_config_reference(int argc, char **argv);

/* Options of `run` that `plan CONFIG` takes too (-1: not given). */
typedef struct {
    int64_t hist, threads;
    unsigned long long seed;
    int have_seed, quiet;
    const char *kernel;
} y90_cli_run_opts;
int y90_cli_run_option(const char *cmd, int argc, char **argv, int *i, y90_cli_run_opts *o);
int y90_cli_simulate(y90_config *c, const y90_cli_run_opts *ro, const char *out, int force);

/* "y90mc CMD: msg: arg (see y90mc --help)" on stderr; returns 2. */
int y90_cli_usage_error(const char *cmd, const char *msg, const char *arg);
/* Option value s as a number in [lo, hi] into *v; -1 after a message naming cmd, opt and the range. */
int y90_cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *v);

/* Print an error as "y90mc: message" and return the exit status for its code
 * (2 for the user's input and requests too large for memory, 130 for an interrupt, 1 otherwise). */
int y90_cli_fail(const y90_error *e);

#endif
