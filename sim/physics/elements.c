/* Element table: symbols, standard atomic weights and mean excitation energies for Z = 1..100.
 *
 * Atomic weights (g/mol): IUPAC/CIAAW standard atomic weights (CIAAW 2021 table, Prohaska et al.,
 * Pure Appl Chem 94 (2022) 573); for elements with an interval the IUPAC "conventional" value is used
 * (H 1.008, Li 6.94, B 10.81, C 12.011, N 14.007, O 15.999, Mg 24.305, Si 28.085, S 32.06, Cl 35.45,
 * Ar 39.95, Br 79.904, Tl 204.38, Pb 207.2). Elements without a standard atomic weight (Tc, Pm, Po-Ac,
 * Np-Fm) carry the mass number of their longest-lived isotope, as in the IUPAC periodic table.
 *
 * Elemental mean excitation energies I (eV): the recommended elemental values of ICRU Report 37 (1984) /
 * Seltzer & Berger, Int J Appl Radiat Isot 33 (1982) 1189, which NIST ESTAR uses. The values for Z <= 97
 * were checked against Sternheimer, Berger & Seltzer, Atomic Data Nucl Data Tables 30 (1984) 261, as
 * transcribed in Geant4 source/materials/src/G4DensityEffectData.cc; At, Fr, Cf, Es, Fm are not in that
 * transcription and were not re-checked.
 *
 * I of an atom bound in a condensed compound (Bragg additivity), ICRU Report 37 / Seltzer & Berger 1982:
 * H 19.2, C 81.0, N 82.0, O 106.0, F 112.0, Cl 180.0 eV, any other element 1.13 x its elemental I.
 * Checked here: the rule gives 74.8 eV for ICRU-46 liver and 189.8 eV for the YAS glass, as stated in
 * the headers of tests/reference/estar/computed_*.csv.
 */
#include <ctype.h>
#include <stddef.h>
#include "y90/materials.h"

typedef struct {
    const char *sym;
    double A;    /* g/mol */
    double I_eV; /* eV, elemental mean excitation energy */
} element;

/* Index Z - 1. */
static const element ELEMENTS[100] = {
    {"H", 1.008, 19.2}, /* 1 */
    {"He", 4.002602, 41.8}, /* 2 */
    {"Li", 6.94, 40.0}, /* 3 */
    {"Be", 9.0121831, 63.7}, /* 4 */
    {"B", 10.81, 76.0}, /* 5 */
    {"C", 12.011, 78.0}, /* 6 */
    {"N", 14.007, 82.0}, /* 7 */
    {"O", 15.999, 95.0}, /* 8 */
    {"F", 18.998403162, 115.0}, /* 9 */
    {"Ne", 20.1797, 137.0}, /* 10 */
    {"Na", 22.98976928, 149.0}, /* 11 */
    {"Mg", 24.305, 156.0}, /* 12 */
    {"Al", 26.9815384, 166.0}, /* 13 */
    {"Si", 28.085, 173.0}, /* 14 */
    {"P", 30.973761998, 173.0}, /* 15 */
    {"S", 32.06, 180.0}, /* 16 */
    {"Cl", 35.45, 174.0}, /* 17 */
    {"Ar", 39.95, 188.0}, /* 18 */
    {"K", 39.0983, 190.0}, /* 19 */
    {"Ca", 40.078, 191.0}, /* 20 */
    {"Sc", 44.955907, 216.0}, /* 21 */
    {"Ti", 47.867, 233.0}, /* 22 */
    {"V", 50.9415, 245.0}, /* 23 */
    {"Cr", 51.9961, 257.0}, /* 24 */
    {"Mn", 54.938043, 272.0}, /* 25 */
    {"Fe", 55.845, 286.0}, /* 26 */
    {"Co", 58.933194, 297.0}, /* 27 */
    {"Ni", 58.6934, 311.0}, /* 28 */
    {"Cu", 63.546, 322.0}, /* 29 */
    {"Zn", 65.38, 330.0}, /* 30 */
    {"Ga", 69.723, 334.0}, /* 31 */
    {"Ge", 72.63, 350.0}, /* 32 */
    {"As", 74.921595, 347.0}, /* 33 */
    {"Se", 78.971, 348.0}, /* 34 */
    {"Br", 79.904, 343.0}, /* 35 */
    {"Kr", 83.798, 352.0}, /* 36 */
    {"Rb", 85.4678, 363.0}, /* 37 */
    {"Sr", 87.62, 366.0}, /* 38 */
    {"Y", 88.905838, 379.0}, /* 39 */
    {"Zr", 91.224, 393.0}, /* 40 */
    {"Nb", 92.90637, 417.0}, /* 41 */
    {"Mo", 95.95, 424.0}, /* 42 */
    {"Tc", 98.0, 428.0}, /* 43 */
    {"Ru", 101.07, 441.0}, /* 44 */
    {"Rh", 102.90549, 449.0}, /* 45 */
    {"Pd", 106.42, 470.0}, /* 46 */
    {"Ag", 107.8682, 470.0}, /* 47 */
    {"Cd", 112.414, 469.0}, /* 48 */
    {"In", 114.818, 488.0}, /* 49 */
    {"Sn", 118.71, 488.0}, /* 50 */
    {"Sb", 121.76, 487.0}, /* 51 */
    {"Te", 127.6, 485.0}, /* 52 */
    {"I", 126.90447, 491.0}, /* 53 */
    {"Xe", 131.293, 482.0}, /* 54 */
    {"Cs", 132.90545196, 488.0}, /* 55 */
    {"Ba", 137.327, 491.0}, /* 56 */
    {"La", 138.90547, 501.0}, /* 57 */
    {"Ce", 140.116, 523.0}, /* 58 */
    {"Pr", 140.90766, 535.0}, /* 59 */
    {"Nd", 144.242, 546.0}, /* 60 */
    {"Pm", 145.0, 560.0}, /* 61 */
    {"Sm", 150.36, 574.0}, /* 62 */
    {"Eu", 151.964, 580.0}, /* 63 */
    {"Gd", 157.25, 591.0}, /* 64 */
    {"Tb", 158.925354, 614.0}, /* 65 */
    {"Dy", 162.5, 628.0}, /* 66 */
    {"Ho", 164.930329, 650.0}, /* 67 */
    {"Er", 167.259, 658.0}, /* 68 */
    {"Tm", 168.934219, 674.0}, /* 69 */
    {"Yb", 173.045, 684.0}, /* 70 */
    {"Lu", 174.9668, 694.0}, /* 71 */
    {"Hf", 178.486, 705.0}, /* 72 */
    {"Ta", 180.94788, 718.0}, /* 73 */
    {"W", 183.84, 727.0}, /* 74 */
    {"Re", 186.207, 736.0}, /* 75 */
    {"Os", 190.23, 746.0}, /* 76 */
    {"Ir", 192.217, 757.0}, /* 77 */
    {"Pt", 195.084, 790.0}, /* 78 */
    {"Au", 196.96657, 790.0}, /* 79 */
    {"Hg", 200.592, 800.0}, /* 80 */
    {"Tl", 204.38, 810.0}, /* 81 */
    {"Pb", 207.2, 823.0}, /* 82 */
    {"Bi", 208.9804, 823.0}, /* 83 */
    {"Po", 209.0, 830.0}, /* 84 */
    {"At", 210.0, 825.0}, /* 85 */
    {"Rn", 222.0, 794.0}, /* 86 */
    {"Fr", 223.0, 827.0}, /* 87 */
    {"Ra", 226.0, 826.0}, /* 88 */
    {"Ac", 227.0, 841.0}, /* 89 */
    {"Th", 232.0377, 847.0}, /* 90 */
    {"Pa", 231.03588, 878.0}, /* 91 */
    {"U", 238.02891, 890.0}, /* 92 */
    {"Np", 237.0, 902.0}, /* 93 */
    {"Pu", 244.0, 921.0}, /* 94 */
    {"Am", 243.0, 934.0}, /* 95 */
    {"Cm", 247.0, 939.0}, /* 96 */
    {"Bk", 247.0, 952.0}, /* 97 */
    {"Cf", 251.0, 966.0}, /* 98 */
    {"Es", 252.0, 980.0}, /* 99 */
    {"Fm", 257.0, 994.0}, /* 100 */
};

/* ICRU Report 37: constituent I = 1.13 x elemental I for elements other than H, C, N, O, F, Cl. */
#define Y90_I_COMPOUND_FACTOR 1.13

static const element *element_at(int Z)
{
    if (Z < 1 || Z > 100) return NULL;
    return &ELEMENTS[Z - 1];
}

double y90_atomic_weight(int Z)
{
    const element *e = element_at(Z);
    return e ? e->A : 0.0;
}

const char *y90_element_symbol(int Z)
{
    const element *e = element_at(Z);
    return e ? e->sym : NULL;
}

/* Case-insensitive: symbols are unique ignoring case ("fe", "FE" and "Fe" all give 26). */
static int symbol_equal(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (tolower((unsigned char)*a) != tolower((unsigned char)*b)) return 0;
    return *a == *b;
}

int y90_element_from_symbol(const char *sym)
{
    if (!sym) return 0;
    for (int Z = 1; Z <= 100; Z++)
        if (symbol_equal(sym, ELEMENTS[Z - 1].sym)) return Z;
    return 0;
}

double y90_element_I_eV(int Z)
{
    const element *e = element_at(Z);
    return e ? e->I_eV : 0.0;
}

double y90_element_I_compound_eV(int Z)
{
    switch (Z) { /* ICRU Report 37 condensed-phase constituent values (see the file comment), eV */
    case 1: return 19.2;
    case 6: return 81.0;
    case 7: return 82.0;
    case 8: return 106.0;
    case 9: return 112.0;
    case 17: return 180.0;
    default: return Y90_I_COMPOUND_FACTOR * y90_element_I_eV(Z);
    }
}
