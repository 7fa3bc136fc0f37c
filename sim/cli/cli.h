/* y90mc command-line front end: one function per subcommand (sim/cli/cli*.c). Each returns an exit status. */
#ifndef Y90_CLI_H
#define Y90_CLI_H

#include "y90/common.h"
#include "y90/config.h"

int y90_cli_check(int argc, char **argv);
int y90_cli_phantom(int argc, char **argv);
int y90_cli_run(int argc, char **argv);
int y90_cli_report(int argc, char **argv);
int y90_cli_plan(int argc, char **argv);
int y90_cli_export(int argc, char **argv);
int y90_cli_vsv(int argc, char **argv);
int y90_cli_dpk(int argc, char **argv);
int y90_cli_config_reference(int argc, char **argv);
int y90_cli_sweep(int argc, char **argv);
int y90_cli_merge(int argc, char **argv);
int y90_cli_compare(int argc, char **argv);

/* Set by SIGINT/SIGTERM once y90_cli_catch_signals ran (a second signal kills). */
extern volatile int y90_cli_stop;
void y90_cli_catch_signals(void);

/* "y90mc CMD: msg: arg (see y90mc --help)" on stderr; returns 2. */
int y90_cli_usage_error(const char *cmd, const char *msg, const char *arg);
/* Option value s as a number in [lo, hi] into *v; -1 after a message naming cmd, opt and the range. */
int y90_cli_number(const char *cmd, const char *opt, const char *s, double lo, double hi, double *v);

/* Print an error as "y90mc: message" and return the exit status for its code
 * (2 for the user's input and requests too large for memory, 130 for an interrupt, 1 otherwise). */
int y90_cli_fail(const y90_error *e);

/* Progress line on stderr with an estimate of the time left: rewritten in place on a terminal, every 10 % in a
 * log. label names the command ("run", "vsv", "dpk"). */
typedef struct {
    const char *label;
    double t0;
    int tty, quiet, last_pct;
    int64_t last_done; /* a smaller done starts a new run (the next sweep point) */
    int64_t done0;     /* done at the run's first report, at t_done0 (s): the rate for the time left */
    double t_done0;
} y90_cli_progress_state;
void y90_cli_progress_init(y90_cli_progress_state *p, const char *label, int quiet);
void y90_cli_progress(int64_t done, int64_t total, void *user);

#endif
