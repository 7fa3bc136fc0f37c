#!/usr/bin/python3
"""Runs the EGSnrc dose point kernels shipped in tests/reference/egsnrc/ and writes their CSVs.

Not part of the build or the tests: it documents (and repeats) how the reference kernels were computed with
EGSnrc (github.com/nrc-cnrc/EGSnrc), an independent code, by this project. It needs an EGSnrc installation
with the egs++ application tutor7pp compiled (environment EGS_HOME, EGS_CONFIG, HEN_HOUSE set, tutor7pp on the
PATH), e.g. HEN_HOUSE/scripts/configure.expect linux.conf 3, then `make` in $EGS_HOME/tutor7pp.

    run_egsnrc.py CASE [--batches N] [--histories N] [--jobs J] [--out DIR]

tutor7pp scores the energy deposited per region (the shells of an EGS_cSpheres geometry) divided by the kinetic
energy emitted (Etot, the sum of the sampled source energies). Each batch is one tutor7pp run with its own ranmar
seeds (batch b: initial seeds = 33+b 97); R50 and R90 (radius holding 50 % / 90 % of the emitted energy, linear in
the cumulative between shell edges) are computed per batch and their mean and standard error over the batches
written, with the batch-mean shell fractions and their standard errors.
"""
import argparse
import datetime
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
R0_1MEV_CM = 0.4367  # ESTAR CSDA range of 1 MeV electrons in water (tests/reference/estar)

CASES = {
    # 90Y ICRP-107 spectrum as y90mc samples it; shells 0.05 mm to 12 mm, water out to 15 mm
    "y90_spin_off": dict(edges_cm=[0.005 * k for k in range(1, 241)] + [1.5], spin="Off",
                         spectrum="y90_icrp107_y90mc.spectrum", histories=400000, batches=10),
    # spin on needs HEN_HOUSE/data/spinms.data, which the EGSnrc snapshot used here lacked (not run)
    "y90_spin_on": dict(edges_cm=[0.005 * k for k in range(1, 241)] + [1.5], spin="On",
                        spectrum="y90_icrp107_y90mc.spectrum", histories=400000, batches=10),
    # 1 MeV electrons, shells of 0.05 r0 (the EDKnrc table's bins) to 1.2 r0, water out to 15 mm
    "1MeV_spin_off": dict(edges_cm=[round(0.05 * R0_1MEV_CM * k, 6) for k in range(1, 25)] + [1.5], spin="Off",
                          energy=1.0, histories=200000, batches=10),
    "1MeV_spin_on": dict(edges_cm=[round(0.05 * R0_1MEV_CM * k, 6) for k in range(1, 25)] + [1.5], spin="On",
                         energy=1.0, histories=200000, batches=10),
}

TEMPLATE = """# EGSnrc tutor7pp input written by tests/reference/egsnrc/inputs/run_egsnrc.py (case {case}).
# Batch b of the shipped kernel is this file with "initial seeds = {{33+b}} 97" (b = 0, 1, ...).
# Run: tutor7pp -i {case} -p 521icru   (pegs4 data HEN_HOUSE/pegs4/data/521icru.pegs4dat, medium H2O521ICRU:
# AE = 0.521 MeV, AP = 0.010 MeV, i.e. Moller/bremsstrahlung production thresholds of 10 keV, ICRU 37 water)
:start geometry definition:
    :start geometry:
        library = egs_spheres
        type = EGS_cSpheres
        name = water_shells
        midpoint = 0 0 0
        radii = {radii}
        :start media input:
            media = H2O521ICRU
        :stop media input:
    :stop geometry:
    simulation geometry = water_shells
:stop geometry definition:

:start source definition:
    :start source:
        library = egs_point_source
        name = point
        position = 0 0 0
        charge = -1
        :start spectrum:
{spectrum}
        :stop spectrum:
    :stop source:
    simulation source = point
:stop source definition:

:start rng definition:
    type = ranmar
    initial seeds = {seed} 97
:stop rng definition:

# EGSnrc defaults otherwise: PRESTA-II ("EGSnrc" electron-step algorithm), EXACT boundary crossing with a skin
# depth of 3 elastic mean free paths, ESTEPE 0.25, XImax 0.5, Bethe-Heitler bremsstrahlung with Koch-Motz angles,
# no electron impact ionisation, XCOM photon cross sections, bound Compton, Rayleigh, EADL relaxations.
:start MC transport parameter:
    Global ECUT = 0.521
    Global PCUT = 0.01
    Spin effects = {spin}
:stop MC transport parameter:

:start run control:
    ncase = {histories}
:stop run control:
"""


def egsinp(case, c, seed, histories, spectrum_path):
    if "energy" in c:
        spec = "            type = monoenergetic\n            energy = %g" % c["energy"]
    else:
        spec = "            type = tabulated spectrum\n            spectrum file = %s" % spectrum_path
    return TEMPLATE.format(case=case, radii=" ".join("%g" % r for r in c["edges_cm"]), spectrum=spec, seed=seed,
                           spin=c["spin"], histories=histories)


def parse(text, nreg):
    """energy fractions per region (index ir+1 in tutor7pp's list: 0 and nreg+1 are the escaped energy)"""
    part = text.split("Reflected, deposited, or transmitted energy fraction")[1]
    frac = {}
    for m in re.finditer(r"^\s+(\d+)\s+([-+0-9.eE]+)\s+\+/-\s+([-+0-9.eE]+)", part, re.M):
        frac.setdefault(int(m.group(1)), float(m.group(2)))
    if len(frac) < nreg + 2:
        raise RuntimeError("tutor7pp output: %d energy fractions, expected %d" % (len(frac), nreg + 2))
    return [frac[k + 1] for k in range(nreg)], frac[0] + frac[nreg + 1]


def quantile(edges, f, q):
    cum, lo = 0.0, 0.0
    for k, fk in enumerate(f):
        if cum + fk >= q:
            return lo + (q - cum) / fk * (edges[k] - lo)
        cum += fk
        lo = edges[k]
    return float("nan")


def mean_se(v):
    n = len(v)
    m = sum(v) / n
    return m, math.sqrt(sum((x - m) ** 2 for x in v) / (n - 1) / n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("case", choices=sorted(CASES))
    ap.add_argument("--batches", type=int)
    ap.add_argument("--histories", type=int)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--out", default=os.path.dirname(HERE))
    a = ap.parse_args()
    c = CASES[a.case]
    nb = a.batches or c["batches"]
    nh = a.histories or c["histories"]
    home = os.path.join(os.environ["EGS_HOME"], "tutor7pp")
    nreg = len(c["edges_cm"])
    spectrum_path = os.path.join(home, c["spectrum"]) if "spectrum" in c else None
    if spectrum_path:
        with open(os.path.join(HERE, c["spectrum"])) as src, open(spectrum_path, "w") as dst:
            dst.write(src.read())
    with open(os.path.join(HERE, a.case + ".egsinp"), "w") as f:  # the shipped input (batch 0)
        f.write(egsinp(a.case, c, 33, nh, "$EGS_HOME/tutor7pp/" + c["spectrum"] if spectrum_path else None))
    t0 = datetime.datetime.now(datetime.timezone.utc)
    running, outs = [], {}
    for b in range(nb):
        name = "%s_b%d" % (a.case, b)
        with open(os.path.join(home, name + ".egsinp"), "w") as f:
            f.write(egsinp(a.case, c, 33 + b, nh, spectrum_path))
        running.append((b, subprocess.Popen(["nice", "tutor7pp", "-i", name, "-p", "521icru"], cwd=home,
                                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)))
        while len(running) >= a.jobs or (b == nb - 1 and running):
            bb, p = running.pop(0)
            outs[bb] = p.communicate()[0]
            if p.returncode:
                sys.exit("tutor7pp batch %d failed:\n%s" % (bb, outs[bb][-2000:]))
    wall = (datetime.datetime.now(datetime.timezone.utc) - t0).total_seconds()
    cpu = sum(float(re.search(r"CPU time:\s+([0-9.]+)", outs[b]).group(1)) for b in range(nb))
    fr, esc, r50, r90 = [], [], [], []
    edges_mm = [10 * e for e in c["edges_cm"]]
    for b in range(nb):
        f, e = parse(outs[b], nreg)
        fr.append(f)
        esc.append(e)
        r50.append(quantile(edges_mm, f, 0.5))
        r90.append(quantile(edges_mm, f, 0.9))
    m50, s50 = mean_se(r50)
    m90, s90 = mean_se(r90)
    mesc, sesc = mean_se(esc)
    commit = re.search(r"git commit hash\.+(\w+)", outs[0]).group(1)
    version = re.search(r"^(EGSnrc version .*?)\s{2,}", outs[0], re.M).group(1)
    ntot = nb * nh
    unit, scale = ("r0", 1 / (10 * R0_1MEV_CM)) if "energy" in c else ("mm", 1.0)
    src = ("mono-energetic %g MeV electrons" % c["energy"] if "energy" in c else
           "90Y ICRP-107 beta spectrum as y90mc samples it: inputs/%s, EGSnrc spectrum mode 3 (interpolated: "
           "density at the points, linear in between, sampled exactly by egs++'s alias table), the Steffen cubic of "
           "sim/physics/spectrum.c at every 13th of its 4096 points (inputs/make_spectrum.c)" % c["spectrum"])
    hdr = [
        "EGSnrc dose point kernel in water, %s, spin %s: computed by the y90mc project with EGSnrc, an independent"
        % (src.split(":")[0], c["spin"].lower()),
        "code (our computation, not a published table), to validate y90mc against (issue 9).",
        "Code: %s, github.com/nrc-cnrc/EGSnrc commit %s (Dec 2025), egs++ application tutor7pp (energy deposited"
        % (version, commit),
        "per region / emitted kinetic energy), geometry EGS_cSpheres centred on an isotropic point source (egs_point_source).",
        "Source: %s." % src,
        "pegs4: HEN_HOUSE/pegs4/data/521icru.pegs4dat, medium H2O521ICRU (AE 0.521 MeV, AP 0.010 MeV: 10 keV Moller and",
        "bremsstrahlung production thresholds; ICRU 37 water, density 1.0). ECUT 0.521 MeV (10 keV kinetic), PCUT 0.010 MeV.",
        "Transport: EGSnrc defaults: PRESTA-II, EXACT boundary crossing (skin depth 3), ESTEPE 0.25, XImax 0.5, BH",
        "bremsstrahlung with KM angles, XCOM photons, bound Compton, Rayleigh, EADL relaxation; spin effects %s."
        % c["spin"].lower(),
        "Input: inputs/%s.egsinp (batch b: ranmar seeds 33+b, 97); run with inputs/run_egsnrc.py %s." % (a.case, a.case),
        "Histories: %d batches x %d = %d; %s UTC; %.0f s CPU on one core." % (nb, nh, ntot, t0.strftime("%Y-%m-%d"),
                                                                               cpu),
        "Water sphere radius %g mm; energy escaping it: %.5f +- %.5f of the emitted." % (edges_mm[-1], mesc, sesc),
        "R50 = %.5f +- %.5f %s, R90 = %.5f +- %.5f %s (mean and standard error of the %d batch values; radius holding"
        % (m50 * scale, s50 * scale, unit, m90 * scale, s90 * scale, unit, nb),
        "50 %% / 90 %% of the emitted energy, linear in the cumulative between shell edges)%s."
        % (" r0 = 4.367 mm, the ESTAR CSDA range" if "energy" in c else ""),
        "Columns: shell inner and outer radius (mm), fraction of the emitted energy deposited in the shell (mean of the",
        "batches) and its standard error, cumulative fraction at the outer radius. The last shell is the rest of the sphere.",
    ]
    path = os.path.join(a.out, "egsnrc_%s_water_dpk.csv" % a.case)
    with open(path, "w") as f:
        for h in hdr:
            f.write("# " + h + "\n")
        f.write("r_in_mm,r_out_mm,fraction,fraction_se,cumulative\n")
        cum, lo = 0.0, 0.0
        for k in range(nreg):
            m, s = mean_se([fr[b][k] for b in range(nb)])
            cum += m
            f.write("%.4f,%.4f,%.6e,%.2e,%.6f\n" % (lo, edges_mm[k], m, s, cum))
            lo = edges_mm[k]
    print("%s: R50 %.5f +- %.5f %s, R90 %.5f +- %.5f %s; escaped %.5f; %d histories, %.0f s CPU, %.0f s wall -> %s"
          % (a.case, m50 * scale, s50 * scale, unit, m90 * scale, s90 * scale, unit, mesc, ntot, cpu, wall, path))


if __name__ == "__main__":
    main()
