/* Activity planning from a report: the dose of a run scales linearly with the activity (the sphere distribution
 * per GBq is the same), so the activity that meets a goal is the file's activity times goal / simulated value.
 * The MIRD and partition-model answers for the same goal stand beside it. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "y90/report.h"

/* TheraSphere vial activities at calibration, GBq (TheraSphere package insert; tests/reference/microspheres.md). */
static const double glass_vials_gbq[] = {3, 5, 7, 10, 15, 20};

int y90_goal_parse(const char *s, y90_goal *g)
{
    static const struct { const char *name; y90_goal_kind kind; } K[] = {
        {"treated-liver-mean", Y90_GOAL_TREATED_LIVER_MEAN},
        {"tumour-d70", Y90_GOAL_TUMOUR_D70},
        {"normal-liver-mean", Y90_GOAL_NORMAL_LIVER_MEAN},
    };
    for (size_t k = 0; k < sizeof K / sizeof *K; k++) {
        size_t n = strlen(K[k].name);
        if (strncmp(s, K[k].name, n) != 0) continue;
        const char *p = s + n;
        g->upper = strncmp(p, "<=", 2) == 0;
        if (g->upper) p += 2;
        else if (*p == '=') p++;
        else return -1;
        char *end;
        g->gy = strtod(p, &end);
        if (end == p || *end || !(g->gy > 0 && g->gy < 1e5)) return -1;
        g->kind = K[k].kind;
        return 0;
    }
    return -1;
}

static const char *goal_name(y90_goal_kind k)
{
    return k == Y90_GOAL_TREATED_LIVER_MEAN ? "treated-liver mean" : k == Y90_GOAL_TUMOUR_D70 ? "viable-tumour D70"
                                                                                            : "normal-liver mean";
}

/* The clinical models' activity (GBq at treatment) for the goal: MIRD D = k A (1-LSF) / M_liver; partition
 * D_N = k A (1-LSF) / ((T/N) M_T + M_N), D_T = (T/N) D_N (for the tumour D70 goal the models know only a uniform
 * tumour dose: their D70 is their mean). */
static void model_answers(const y90_report *r, const y90_goal *goal, y90_plan *p)
{
    const y90_dose_stats *lt = y90_report_row(r, "liver_treated"), *n = y90_report_row(r, "liver_normal_treated"),
                         *t = y90_report_row(r, "tumour_viable_treated");
    double per_gbq = r->gy_kg_per_gbq * (1.0 - r->lsf); /* Gy kg per GBq at treatment */
    double m_l = lt ? lt->mass_g / 1e3 : NAN, m_n = n ? n->mass_g / 1e3 : 0, m_t = t ? t->mass_g / 1e3 : 0;
    double part = r->tn * m_t + m_n; /* kg */
    p->mird_gbq = p->partition_gbq = NAN;
    switch (goal->kind) {
    case Y90_GOAL_TREATED_LIVER_MEAN:
        p->mird_gbq = goal->gy * m_l / per_gbq;
        p->partition_gbq = p->mird_gbq; /* the partition model keeps the treated-liver energy: same mean */
        break;
    case Y90_GOAL_TUMOUR_D70:
        if (t) p->partition_gbq = goal->gy / r->tn * part / per_gbq;
        break;
    case Y90_GOAL_NORMAL_LIVER_MEAN:
        if (n) p->partition_gbq = goal->gy * part / per_gbq;
        break;
    }
}

y90_status y90_plan_compute(const y90_report *r, const y90_goal *goal, const y90_plan_options *po, y90_plan *p,
                            y90_error *err)
{
    memset(p, 0, sizeof *p);
    p->goal = *goal;
    if (!r->treatment || !(r->activity_gbq > 0))
        return Y90_FAIL(err, Y90_EINPUT, "%s: no /treatment activity: plan needs a microsphere run",
                        r->prov.input);
    double sim = goal->kind == Y90_GOAL_TREATED_LIVER_MEAN ? r->treated_liver_mean_gy
                 : goal->kind == Y90_GOAL_TUMOUR_D70       ? r->tumour_d70_gy
                                                           : r->normal_liver_mean_gy;
    if (!(sim > 0))
        return Y90_FAIL(err, Y90_EINPUT, "%s: the %s is %g Gy (no voxels or no dose): cannot scale to %g Gy",
                        r->prov.input, goal_name(goal->kind), sim, goal->gy);
    p->simulated_gy = sim;
    p->file_activity_gbq = r->activity_gbq;
    p->scale = goal->gy / sim;
    p->activity_gbq = r->activity_gbq * p->scale;
    p->hours_after_calibration = po && isfinite(po->hours_after_calibration) ? po->hours_after_calibration
                                                                             : r->hours_after_calibration;
    if (!isfinite(p->hours_after_calibration)) p->hours_after_calibration = 0;
    p->activity_calibration_gbq = p->activity_gbq * exp2(p->hours_after_calibration / r->half_life_h);
    p->vial_gbq = NAN;
    if (po && po->vial_gbq > 0) p->vial_gbq = po->vial_gbq;
    else
        for (size_t k = 0; k < sizeof glass_vials_gbq / sizeof *glass_vials_gbq && isnan(p->vial_gbq); k++)
            if (glass_vials_gbq[k] >= p->activity_calibration_gbq) p->vial_gbq = glass_vials_gbq[k];
    p->vial_hours = p->vial_gbq > 0 ? r->half_life_h * log2(p->vial_gbq / p->activity_gbq) : NAN;
    double s = p->scale;
    p->treated_liver_mean_gy = s * r->treated_liver_mean_gy;
    p->tumour_mean_gy = s * r->tumour_mean_gy;
    p->tumour_d70_gy = s * r->tumour_d70_gy;
    p->normal_liver_mean_gy = s * r->normal_liver_mean_gy;
    p->whole_normal_liver_mean_gy = s * r->whole_normal_liver_mean_gy;
    p->lung_mean_gy = s * r->lung_mean_gy;
    p->lung_1kg_gy = s * r->mird_lung_1kg_gy;
    double lung = fmax(isnan(p->lung_mean_gy) ? 0 : p->lung_mean_gy, isnan(p->lung_1kg_gy) ? 0 : p->lung_1kg_gy);
    p->lung_session_ok = lung <= r->opt.lung_session_gy;
    p->lung_cumulative_ok = lung + r->opt.prior_lung_gy <= r->opt.lung_cumulative_gy;
    p->normal_liver_ok = !(p->whole_normal_liver_mean_gy > r->opt.normal_liver_limit_gy);
    model_answers(r, goal, p);
    return Y90_OK;
}

static const char *ok_word(int ok) { return ok ? "OK" : "EXCEEDED"; }

void y90_plan_print(const y90_report *r, const y90_plan *p, FILE *f)
{
    const y90_report_options *o = &r->opt;
    fprintf(f, "Goal: %s %s %.1f Gy (simulated %.2f Gy at %.4g GBq; dose scaled linearly with activity)\n",
            goal_name(p->goal.kind), p->goal.upper ? "<=" : "=", p->goal.gy, p->simulated_gy, p->file_activity_gbq);
    fprintf(f, "  activity at treatment            %8.3f GBq%s\n", p->activity_gbq,
            p->goal.upper ? " (the most that keeps the goal)" : "");
    fprintf(f, "  activity at calibration          %8.3f GBq (treatment %.1f h = %.2f days after calibration)\n",
            p->activity_calibration_gbq, p->hours_after_calibration, p->hours_after_calibration / 24);
    if (p->vial_gbq > 0 && p->vial_hours >= 0)
        fprintf(f, "  vial %.3g GBq holds it           %.1f h (%.2f days) after calibration\n", p->vial_gbq,
                p->vial_hours, p->vial_hours / 24);
    else if (p->vial_gbq > 0)
        fprintf(f, "  vial %.3g GBq                    too small: holds %.3f GBq at calibration\n", p->vial_gbq, p->vial_gbq);
    else
        fprintf(f, "  vial                             none of the 3-20 GBq glass vials is large enough\n");
    fprintf(f, "  MIRD single compartment          %8.3f GBq\n", p->mird_gbq);
    fprintf(f, "  partition model                  %8.3f GBq\n", p->partition_gbq);
    fprintf(f, "At the planned activity (simulated, scaled)\n");
    fprintf(f, "  treated liver mean               %8.1f Gy (prescription %.1f Gy)\n", p->treated_liver_mean_gy,
            r->prescription_gy);
    fprintf(f, "  viable tumour mean / D70         %8.1f / %.1f Gy (target %.1f Gy)\n", p->tumour_mean_gy,
            p->tumour_d70_gy, o->tumour_target_gy);
    fprintf(f, "  normal liver (treated lobes)     %8.1f Gy\n", p->normal_liver_mean_gy);
    fprintf(f, "  whole normal liver mean          %8.1f Gy vs limit %.1f Gy: %s\n", p->whole_normal_liver_mean_gy,
            o->normal_liver_limit_gy, ok_word(p->normal_liver_ok));
    fprintf(f, "  lung (simulated / 1 kg MIRD)     %8.1f / %.1f Gy vs %.1f Gy per session: %s; cumulative with prior "
               "%.1f Gy vs %.1f Gy: %s\n", p->lung_mean_gy, p->lung_1kg_gy, o->lung_session_gy,
            ok_word(p->lung_session_ok), o->prior_lung_gy, o->lung_cumulative_gy, ok_word(p->lung_cumulative_ok));
}
