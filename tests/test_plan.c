/* plan on the default case (configs/net_bilobar_therasphere.yaml, fewer histories): the activity it returns, re-run
 * with another seed, gives the treated-liver mean goal within the runs' statistical uncertainty. */
#include "testutil.h"
#include "y90/config.h"
#include "y90/report.h"
#include "y90/run.h"
#include <math.h>
#include <stdio.h>
#include <string.h>

#define HISTORIES 100000

static int run_report(y90_config *c, const char *name, y90_report *r)
{
    y90_error e = {0};
    y90_run_options o = {.out_path = y90t_path(name), .force = 1};
    char out[1024];
    snprintf(out, sizeof out, "%s", o.out_path);
    o.out_path = out;
    if (y90_run(c, &o, &e) != Y90_OK || y90_report_compute(out, NULL, r, &e) != Y90_OK) {
        fprintf(stderr, "\n    %s: %s ", name, e.msg);
        return -1;
    }
    return 0;
}

static void test_plan_rerun(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/configs/net_bilobar_therasphere.yaml", Y90_SOURCE_DIR);
    y90_config c;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_config_load(path, &c, &e), Y90_OK);
    c.transport.histories = HISTORIES;
    y90_report r1, r2;
    CU_ASSERT_EQUAL_FATAL(run_report(&c, "first.h5", &r1), 0);
    y90_goal goal;
    CU_ASSERT_EQUAL_FATAL(y90_goal_parse("treated-liver-mean=113", &goal), 0);
    y90_plan p;
    CU_ASSERT_EQUAL_FATAL(y90_plan_compute(&r1, &goal, NULL, &p, &e), Y90_OK);
    /* the config's activity is at calibration; the default case treats at calibration time */
    CU_ASSERT_DOUBLE_EQUAL(p.activity_calibration_gbq, p.activity_gbq * exp2(c.treatment.hours_after_calibration / 64.10),
                           1e-9);
    c.treatment.activity_gbq = p.activity_calibration_gbq;
    c.transport.seed += 1000;
    CU_ASSERT_EQUAL_FATAL(run_report(&c, "second.h5", &r2), 0);
    const y90_dose_stats *a = y90_report_row(&r1, "liver_treated"), *b = y90_report_row(&r2, "liver_treated");
    CU_ASSERT_FATAL(a && b);
    /* 1 sigma of each run's mean, combined (the first run's scaled with the activity) */
    double s1 = a->mean_unc_pct / 100 * 113.0, s2 = b->mean_unc_pct / 100 * b->mean_gy, sigma = hypot(s1, s2);
    double dev = r2.treated_liver_mean_gy - 113.0;
    fprintf(stderr, "\n    plan: %.4f GBq at treatment (file %.4f GBq, simulated %.3f Gy); re-run %.3f Gy, %+.3f Gy = "
            "%.2f sigma (sigma %.3f Gy) ", p.activity_gbq, p.file_activity_gbq, p.simulated_gy,
            r2.treated_liver_mean_gy, dev, dev / sigma, sigma);
    CU_ASSERT(sigma > 0 && fabs(dev) <= 3 * sigma);
    y90_report_free(&r1);
    y90_report_free(&r2);
    y90_config_free(&c);
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("plan", NULL, NULL);
    CU_add_test(s, "plan, re-run at the planned activity meets the goal", test_plan_rerun);
}
