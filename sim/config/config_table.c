/* y90mc: the table of every config key. Sources of defaults are cited in the help text. */
#include <float.h>
#include <stddef.h>
#include "config_table.h"
#include "y90/config.h"

#define OFF(f) offsetof(y90_config, f)
#define BIG DBL_MAX
#define MIN_OPEN Y90_RANGE_MIN_OPEN
#define MAX_OPEN Y90_RANGE_MAX_OPEN

const y90_key y90_config_keys[] = {
    /* phantom */
    {"phantom.type", Y90_KT_ENUM, OFF(phantom.type), "liver", 0, 0, 0, "", "liver|box|slabs|image|lobules", 0,
     "phantom to build: the analytic adult liver, a homogeneous box, slabs along z, a patient's images (label "
     "map, CT or density map: phantom.label_file and the `labels` section), or lobules: a microscale block of "
     "liver built of hexagonal lobules (voxel_mm 0.005-0.02, default 0.01 when not given)"},
    {"phantom.voxel_mm", Y90_KT_DOUBLE, OFF(phantom.voxel_mm), "2.0", 0, 50, MIN_OPEN, "mm", NULL, 0,
     "cubic voxel edge"},
    {"phantom.seed", Y90_KT_UINT64, OFF(phantom.seed), "1", 0, 0, 0, "", NULL, 0, "seed of the tumour placement"},
    {"phantom.liver_mass_g", Y90_KT_DOUBLE, OFF(phantom.liver_mass_g), "1800", 200, 6000, 0, "g",
     NULL, 0, "liver mass including tumours (ICRP 89 reference adult male: 1800 g)"},
    {"phantom.liver_density", Y90_KT_DOUBLE, OFF(phantom.liver_density), "1.06", 0.5, 2, 0, "g/cm3", NULL, 0,
     "liver and tumour density (ICRU 46 adult liver: 1.06)"},
    {"phantom.right_lobe_fraction", Y90_KT_DOUBLE, OFF(phantom.right_lobe_fraction), "0.65", 0.3, 0.9, 0, "",
     NULL, 0, "fraction of the liver volume in the right lobe"},
    {"phantom.tumour_burden_percent", Y90_KT_DOUBLE, OFF(phantom.tumour_burden_percent), "15", 0, 90, MAX_OPEN,
     "%", NULL, 0, "tumour volume (viable + necrotic) as % of the liver volume, built within 1 % of it (1-70 % "
     "tested for 1-100 tumours); tumours merge into confluent masses when separate spheres do not fit; a burden "
     "that cannot be built is refused with the largest one that can"},
    {"phantom.tumour_count", Y90_KT_INT, OFF(phantom.tumour_count), "5", 0, 256, 0, "", NULL, 0,
     "number of spherical tumours (lesions)"},
    {"phantom.tumour_size_sigma", Y90_KT_DOUBLE, OFF(phantom.tumour_size_sigma), "0", 0, 2, 0, "", NULL, 0,
     "log-normal sigma of tumour volumes (0: all tumours equal); placed largest first"},
    {"phantom.tumour_pattern", Y90_KT_ENUM, OFF(phantom.tumour_pattern), "scattered", 0, 0, 0, "",
     "scattered|few_large|miliary|confluent|mix", 0,
     "lesion pattern: scattered (random, separate while room allows, merging when dense); few_large (at most 10 "
     "separate lesions); miliary (at least 20, spread over the lobes in proportion to their volume); confluent "
     "(one lobulated mass of overlapping lesions); mix (one dominant lesion plus small ones spread as miliary)"},
    {"phantom.tumour_lobes", Y90_KT_ENUM, OFF(phantom.tumour_lobes), "both", 0, 0, 0, "", "both|right|left", 0,
     "lobes that hold the tumours (independent of treatment.treated_lobes)"},
    {"phantom.tumour_large_fraction", Y90_KT_DOUBLE, OFF(phantom.tumour_large_fraction), "0.5", 0, 1, MIN_OPEN |
     MAX_OPEN, "", NULL, 0, "mix pattern: fraction of the tumour volume in the dominant lesion"},
    {"phantom.necrotic_fraction", Y90_KT_DOUBLE, OFF(phantom.necrotic_fraction), "0.3", 0, 0.95, 0, "", NULL,
     0, "necrotic core fraction of each tumour's volume (no uptake); with necrosis_min_diameter_mm > 0 the "
     "largest fraction"},
    {"phantom.necrosis_min_diameter_mm", Y90_KT_DOUBLE, OFF(phantom.necrosis_min_diameter_mm), "0", 0, 500, 0,
     "mm", NULL, 0, "viable-rim model: tumours up to this diameter D0 have no necrotic core; a tumour of diameter D "
     "> D0 has a viable rim D0/2 thick, so its necrotic fraction (1 - D0/D)^3 grows with size, capped at "
     "necrotic_fraction (0: every tumour has necrotic_fraction)"},
    {"phantom.lung_density", Y90_KT_DOUBLE, OFF(phantom.lung_density), "0.26", 0.05, 1.1, 0, "g/cm3", NULL, 0,
     "inflated lung density (ICRU 46: 0.26)"},
    {"phantom.body_density", Y90_KT_DOUBLE, OFF(phantom.body_density), "1.03", 0.5, 2, 0, "g/cm3", NULL, 0,
     "soft tissue density of the body (ICRP 89 / ICRU 46 soft tissue 1.03)"},
    {"phantom.margin_mm", Y90_KT_DOUBLE, OFF(phantom.margin_mm), "30", 0, 500, 0, "mm", NULL, 0,
     "soft tissue around the organs"},
    {"phantom.box_size_mm", Y90_KT_DOUBLE3, OFF(phantom.box_size_mm), "[100, 100, 100]", 0, 2000, MIN_OPEN, "mm",
     NULL, 0, "box: x y z extent; slabs: x y lateral extent (z ignored)"},
    {"phantom.material", Y90_KT_STRING, OFF(phantom.material), "water", 0, 0, 0, "", NULL, 0,
     "box material (built-in: water, soft_tissue, liver, lung, bone_cortical, bone_compact, glass, resin, air; or a "
     "`materials` entry)"},
    {"phantom.density", Y90_KT_DOUBLE, OFF(phantom.density), "0", 0, 25, 0, "g/cm3", NULL, 0,
     "box density (0: the material's nominal density)"},
    {"phantom.slab_materials", Y90_KT_STRLIST, OFF(phantom.slab_materials), "[]", 0, 0, 0, "", NULL,
     OFF(phantom.nslabs), "slabs: material of each slab, lowest z first"},
    {"phantom.slab_densities", Y90_KT_DOUBLELIST, OFF(phantom.slab_densities), "[]", 0, 25, 0, "g/cm3", NULL,
     0, "slabs: density of each slab (0: nominal); as many as slab_materials"},
    {"phantom.slab_thickness_mm", Y90_KT_DOUBLELIST, OFF(phantom.slab_thickness_mm), "[]", 0, 2000, MIN_OPEN,
     "mm", NULL, 0, "slabs: thickness of each slab along z (whole voxels); as many as slab_materials"},
    {"phantom.label_file", Y90_KT_PATH, OFF(phantom.label_file), "\"\"", 0, 0, 0, "", NULL, 0,
     "image: label map (NIfTI .nii/.nii.gz, or HDF5 .h5 as in include/y90/image.h); its grid is the dose grid "
     "(phantom.voxel_mm is not used); the `labels` section says what each value is; relative names are taken from "
     "the config file's folder"},
    {"phantom.ct_file", Y90_KT_PATH, OFF(phantom.ct_file), "\"\"", 0, 0, 0, "", NULL, 0,
     "image: CT in HU, resampled onto the label grid (nearest voxel) and turned into density and material by "
     "hu_points/hu_densities and hu_material_lower_hu/hu_materials (empty: no CT)"},
    {"phantom.density_file", Y90_KT_PATH, OFF(phantom.density_file), "\"\"", 0, 0, 0, "", NULL, 0,
     "image: density map in g/cm3 instead of a CT (empty: none; without either, each label's density)"},
    {"phantom.hu_points", Y90_KT_DOUBLELIST, OFF(phantom.hu_points), "[-1000, -98, -97, 14, 23, 100, 101, 1600, "
     "3000, 3200]", -2000, 20000, 0, "HU", NULL, OFF(phantom.nhu_points), "image: nodes of the piecewise-linear "
     "HU-to-density curve, ascending (default: Schneider, Bortfeld & Schlegel 2000, Phys Med Biol 45:459, as "
     "tabulated by GATE's Schneider2000DensitiesTable.txt); HU outside the nodes take the end densities"},
    {"phantom.hu_densities", Y90_KT_DOUBLELIST, OFF(phantom.hu_densities), "[0.00121, 0.93, 0.930486, 1.03, 1.031, "
     "1.1199, 1.0762, 1.9642, 2.8, 2.9]", 0, 25, MIN_OPEN, "g/cm3", NULL, OFF(phantom.nhu_densities),
     "image: density at each of hu_points (default: Schneider et al. 2000 as above)"},
    {"phantom.hu_material_lower_hu", Y90_KT_DOUBLELIST, OFF(phantom.hu_material_lower_hu), "[-1050, -950, -120, "
     "120]", -2000, 20000, 0, "HU", NULL, OFF(phantom.nhu_material_bins), "image: lower HU edge of each material "
     "bin, ascending (default: the air, lung, adipose and bone bin edges of Schneider et al. 2000 as tabulated by "
     "GATE's Schneider2000MaterialsTable.txt; below the first edge: the first material)"},
    {"phantom.hu_materials", Y90_KT_STRLIST, OFF(phantom.hu_materials), "[air, lung, soft_tissue, bone_cortical]",
     0, 0, 0, "", NULL, OFF(phantom.nhu_materials), "image: material of each HU bin (default: air; lung; "
     "soft_tissue for the adipose, soft and connective tissue bins; bone_cortical for the bone bins, whose "
     "calcium content varies in Schneider's table: an approximation, the density follows the curve)"},
    {"phantom.lobule_block_mm", Y90_KT_DOUBLE3, OFF(phantom.lobule_block_mm), "[4, 4, 4]", 0, 50, MIN_OPEN, "mm",
     NULL, 0, "lobules: x y z extent of the block of liver"},
    {"phantom.lobule_diameter_mm", Y90_KT_DOUBLE, OFF(phantom.lobule_diameter_mm), "1.0", 0.2, 5, 0, "mm", NULL, 0,
     "lobules: corner-to-corner diameter of the hexagonal lobules (about 1 mm: Encyclopaedia Britannica, liver; "
     "hexagonal with a portal triad at each corner and a central vein)"},
    {"phantom.portal_radius_um", Y90_KT_DOUBLE, OFF(phantom.portal_radius_um), "60", 5, 300, 0, "um", NULL, 0,
     "lobules: radius of the portal tracts at the lobule corners, where spheres lodge (modelling choice: a tract "
     "holding arteriole, venule and bile duct; no measured value was found)"},
    {"phantom.central_vein_radius_um", Y90_KT_DOUBLE, OFF(phantom.central_vein_radius_um), "40", 0, 300, 0, "um",
     NULL, 0, "lobules: radius of the central vein of each lobule (modelling choice; 0: none)"},
    {"phantom.lobule_tumour_depth_mm", Y90_KT_DOUBLE, OFF(phantom.lobule_tumour_depth_mm), "0", 0, 50, 0, "mm",
     NULL, 0, "lobules: tumour edge: the last depth of the block along +x is viable tumour (0: none)"},
    /* source */
    {"source.type", Y90_KT_ENUM, OFF(source.type), "microspheres", 0, 0, 0, "",
     "microspheres|uniform_box|uniform_structure|voxel|point|activity_map", 0,
     "microspheres sampled from the uptake model, a validation source, or microspheres placed in proportion to an "
     "activity image in the liver and tumours (activity_map: source.activity_file; the lung shunt as for "
     "microspheres; tn_ratio and treated_lobes are then the image's)"},
    {"source.seed", Y90_KT_UINT64, OFF(source.seed), "1", 0, 0, 0, "", NULL, 0,
     "seed of the sphere placement (diameters, positions, activities); the transport seed only chooses which "
     "decays are simulated, so runs of one case with different transport seeds can be pooled"},
    {"source.product", Y90_KT_ENUM, OFF(source.product), "therasphere", 0, 0, 0, "", "therasphere|sir_spheres",
     0, "microsphere preset: TheraSphere glass (25 um, 3.29 g/cm3, 2500 Bq) or SIR-Spheres resin (32 um, 1.6 "
        "g/cm3, 50 Bq)"},
    {"source.sphere_diameter_um", Y90_KT_DOUBLE, OFF(source.sphere_diameter_um), "0", 0, 200, 0, "um", NULL, 0,
     "mean sphere diameter (0: preset)"},
    {"source.sphere_diameter_sd_um", Y90_KT_DOUBLE, OFF(source.sphere_diameter_sd_um), "-1", -1, 100, 0, "um",
     NULL, 0, "standard deviation of the diameter (-1: preset)"},
    {"source.sphere_density", Y90_KT_DOUBLE, OFF(source.sphere_density), "0", 0, 10, 0, "g/cm3", NULL, 0,
     "sphere density (0: preset)"},
    {"source.activity_per_sphere_bq", Y90_KT_DOUBLE, OFF(source.activity_per_sphere_bq), "0", 0, 1e6, 0, "Bq",
     NULL, 0, "mean activity per sphere at calibration (0: preset)"},
    {"source.box_min_mm", Y90_KT_DOUBLE3, OFF(source.box_min_mm), "[0, 0, 0]", -BIG, BIG, 0, "mm", NULL, 0,
     "uniform_box: lower corner (box_min = box_max: the whole phantom)"},
    {"source.box_max_mm", Y90_KT_DOUBLE3, OFF(source.box_max_mm), "[0, 0, 0]", -BIG, BIG, 0, "mm", NULL, 0,
     "uniform_box: upper corner"},
    {"source.structure", Y90_KT_STRING, OFF(source.structure), "slab0", 0, 0, 0, "", NULL, 0,
     "uniform_structure: name of the structure holding the activity (e.g. slab0, liver_right)"},
    {"source.voxel", Y90_KT_INT3, OFF(source.voxel), "[0, 0, 0]", 0, 1e6, 0, "", NULL, 0,
     "voxel: ix iy iz of the source voxel (activity uniform in it)"},
    {"source.point_mm", Y90_KT_DOUBLE3, OFF(source.point_mm), "[0, 0, 0]", -BIG, BIG, 0, "mm", NULL, 0,
     "point: position of the point source"},
    {"source.energy_mev", Y90_KT_DOUBLE, OFF(source.energy_mev), "0", 0, 3, 0, "MeV", NULL, 0,
     "validation: mono-energetic electrons of this kinetic energy instead of the 90Y spectrum (0: ICRP-107 "
     "spectrum); the dose still counts the 90Y decays of the activity"},
    {"source.direction", Y90_KT_DOUBLE3, OFF(source.direction), "[0, 0, 0]", -1, 1, 0, "", NULL, 0,
     "validation: emission direction (all 0: isotropic)"},
    {"source.activity_file", Y90_KT_PATH, OFF(source.activity_file), "\"\"", 0, 0, 0, "", NULL, 0,
     "activity_map: 90Y PET or 99mTc-MAA SPECT image (NIfTI or HDF5), resampled onto the dose grid conserving the "
     "activity (overlap volumes); its shape inside the liver and tumour labels places the spheres, scaled to "
     "treatment.activity_gbq; relative names are taken from the config file's folder"},
    {"source.activity_kind", Y90_KT_ENUM, OFF(source.activity_kind), "pet_bq_ml", 0, 0, 0, "",
     "pet_bq_ml|spect_counts", 0, "activity_map: voxel values are activity concentrations (90Y PET, Bq/ml) or "
     "counts per voxel (SPECT, a predictor of the sphere distribution); negative values count as 0"},
    {"source.clustering", Y90_KT_ENUM, OFF(source.clustering), "none", 0, 0, 0, "", "none|geometric|lognormal", 0,
     "microspheres and activity_map: cluster-size distribution: none (every sphere alone), geometric (P(k) = p (1-p)^(k-1), mean "
     "1/p = cluster_mean) or lognormal (k = ceil(X), X log-normal with mean cluster_mean and sigma cluster_sigma); "
     "clusters lodge where the uptake model puts them, their spheres around the centre"},
    {"source.cluster_mean", Y90_KT_DOUBLE, OFF(source.cluster_mean), "4", 1, 1000, 0, "spheres", NULL, 0,
     "mean cluster size; an illustrative default: histology of resin spheres in human liver found clusters up to "
     "453 spheres among 3888 counted (Hogberg et al. 2015, EJNMMI Phys 2:10) but no size histogram was found"},
    {"source.cluster_sigma", Y90_KT_DOUBLE, OFF(source.cluster_sigma), "1.0", 0.05, 3, 0, "", NULL, 0,
     "lognormal: sigma of ln(cluster size) (illustrative default)"},
    {"source.cluster_spread_um", Y90_KT_DOUBLE, OFF(source.cluster_spread_um), "30", 0, 5000, 0, "um", NULL, 0,
     "standard deviation per axis of a sphere's offset from its cluster centre (spheres never overlap: a sphere "
     "that would is placed again, the spread widening after many tries)"},
    {"source.sphere_storage", Y90_KT_ENUM, OFF(source.sphere_storage), "auto", 0, 0, 0, "", "table|counts|auto", 0,
     "microspheres and activity_map: keep one row per sphere (24 bytes: voxel, offsets, diameter, activity; output "
     "/microspheres) or per-voxel sphere counts (4 bytes a voxel, 12 for glass; output /microsphere_counts) with each "
     "sphere's offsets and diameter regenerated from its own random stream (source.seed, voxel, index in the "
     "voxel); auto: counts above 5 million spheres (a resin vial holds tens of millions), else table. Clustering "
     "needs the table (auto then keeps it; counts with clustering is refused)"},
    /* treatment */
    {"treatment.activity_gbq", Y90_KT_DOUBLE, OFF(treatment.activity_gbq), NULL, 0, 100, MIN_OPEN, "GBq", NULL, 0,
     "activity of the spheres (required), at the time treatment.activity_at names"},
    {"treatment.activity_at", Y90_KT_ENUM, OFF(treatment.activity_at), "calibration", 0, 0, 0, "",
     "calibration|treatment", 0, "treatment.activity_gbq is the vial's activity at calibration (the sphere count is "
     "that activity / the activity per sphere at calibration), or the activity to deliver at injection (the "
     "vial's calibration activity is then that x 2^(hours_after_calibration / 64.10 h): a later day means more, "
     "weaker spheres)"},
    {"treatment.hours_after_calibration", Y90_KT_DOUBLE, OFF(treatment.hours_after_calibration), "0", 0, 2000, 0,
     "h", NULL, 0, "time from calibration to injection (T1/2 64.10 h)"},
    {"treatment.lung_shunt_fraction", Y90_KT_DOUBLE, OFF(treatment.lung_shunt_fraction), "0", 0, 1, 0, "", NULL, 0,
     "fraction of the activity shunted to the lungs"},
    {"treatment.tn_ratio", Y90_KT_DOUBLE, OFF(treatment.tn_ratio), "1", 0, 1000, 0, "", NULL, 0,
     "tumour-to-normal liver activity concentration ratio (per mass) in the viable tumour"},
    {"treatment.treated_lobes", Y90_KT_ENUM, OFF(treatment.treated_lobes), "both", 0, 0, 0, "", "both|right|left",
     0, "lobes that receive spheres"},
    {"treatment.prescription_gy", Y90_KT_DOUBLE, OFF(treatment.prescription_gy), "113", 0, 2000, MIN_OPEN, "Gy",
     NULL, 0, "dose goal for the treated liver (median of Memon et al. 2012: 113 Gy)"},
    /* transport */
    {"transport.kernel", Y90_KT_ENUM, OFF(transport.kernel), "mc", 0, 0, 0, "", "mc|local|dvk|dvk_density", 0,
     "dose kernel: Monte Carlo beta transport; local deposition of the mean energy (deterministic); the activity "
     "map convolved with a 90Y voxel kernel (dvk; dvk_density: divided by the local voxel mass, the lung "
     "correction)"},
    {"transport.activity_map", Y90_KT_ENUM, OFF(transport.activity_map), "sampled", 0, 0, 0, "",
     "sampled|expected", 0, "local and dvk kernels: activity of the sampled spheres, or the uptake model's "
     "expected activity (noise-free)"},
    {"transport.kernel_histories", Y90_KT_INT64, OFF(transport.kernel_histories), "1000000", 1000, 1e11, 0, "",
     NULL, 0, "dvk: MC histories of the voxel kernel (computed once per voxel size, medium, density and physics "
     "settings, then cached on disk)"},
    {"transport.histories", Y90_KT_INT64, OFF(transport.histories), "1000000", 1, 1e13, 0, "", NULL, 0,
     "decays simulated"},
    {"transport.seed", Y90_KT_UINT64, OFF(transport.seed), "1", 0, 0, 0, "", NULL, 0,
     "seed of the simulated decays (results depend only on the seeds and histories; the spheres use source.seed)"},
    {"transport.threads", Y90_KT_INT, OFF(transport.threads), "0", 0, 4096, 0, "", NULL, 0,
     "OpenMP threads (0: OMP_NUM_THREADS when set, else all cores)"},
    {"transport.cutoff_kev", Y90_KT_DOUBLE, OFF(transport.cutoff_kev), "10", 1, 500, 0, "keV", NULL, 0,
     "electron transport cutoff (kinetic energy); below it the rest is deposited locally"},
    {"transport.photon_cutoff_kev", Y90_KT_DOUBLE, OFF(transport.photon_cutoff_kev), "10", 1, 500, 0, "keV",
     NULL, 0, "photon transport cutoff"},
    {"transport.delta_threshold_kev", Y90_KT_DOUBLE, OFF(transport.delta_threshold_kev), "10", 1, 2000, 0,
     "keV", NULL, 0, "energy transfer above which Moller collisions create tracked delta electrons (10 keV: EGSnrc's AE of its 521 ICRU data; below it, continuous loss with Gamma straggling)"},
    {"transport.brems_threshold_kev", Y90_KT_DOUBLE, OFF(transport.brems_threshold_kev), "10", 1, 2000, 0,
     "keV", NULL, 0, "photon energy above which bremsstrahlung photons are created and tracked"},
    {"transport.max_eloss_fraction", Y90_KT_DOUBLE, OFF(transport.max_eloss_fraction), "0.1", 0.005, 0.5, 0,
     "", NULL, 0, "largest fractional energy loss in one condensed-history step"},
    {"transport.step_algorithm", Y90_KT_ENUM, OFF(transport.step_algorithm), "presta2", 0, 0, 0, "",
     "presta2|hinge", 0, "electron-step mechanics: presta2, PRESTA-II (Kawrakow and Bielajew 1998, as EGSnrc: two "
     "deflections per step and an end position with the lateral correlation of continuous scattering, so that the "
     "water point kernel's R90 stays within 0.1 % from steps of 5 to 50 % loss) where a step cannot meet another "
     "material or density, the random hinge with steps of at most 10 % loss elsewhere; hinge: one random hinge "
     "everywhere (the deflection at a point placed for Lewis's <z> and <r^2>; R90 +0.30 / +0.55 % at 20 / 30 % "
     "steps against 5 %)"},
    {"transport.ximax", Y90_KT_DOUBLE, OFF(transport.ximax), "0.5", 0.01, 2, 0, "", NULL, 0,
     "presta2: largest multiple scattering of one step, in first transport mean free paths (EGSnrc's XImax, "
     "whose default 0.5 this is; PRESTA-II is built for steps up to about that, its <r^2> +0.4 % at 0.5 and "
     "+1.6 % at 1)"},
    {"transport.straggling", Y90_KT_BOOL, OFF(transport.straggling), "true", 0, 0, 0, "", NULL, 0,
     "energy-loss straggling of soft collisions"},
    {"transport.secondaries", Y90_KT_BOOL, OFF(transport.secondaries), "true", 0, 0, 0, "", NULL, 0,
     "hard collisions and bremsstrahlung (off: continuous slowing down with the total stopping power)"},
    {"transport.multiple_scattering", Y90_KT_BOOL, OFF(transport.multiple_scattering), "true", 0, 0, 0, "", NULL,
     0, "multiple elastic scattering (off: straight tracks)"},
    {"transport.time_limit_s", Y90_KT_DOUBLE, OFF(transport.time_limit_s), "0", 0, 1e9, 0, "s", NULL, 0,
     "stop after this wall time of the run (0: no limit; run --time-limit 10m); the output records run_status "
     "time_limit and the histories done, and the dose is normalised to them"},
    {"transport.target_uncertainty", Y90_KT_DOUBLE, OFF(transport.target_uncertainty), "0", 0, 1, MAX_OPEN, "",
     NULL, 0, "stop once the median 1-sigma relative uncertainty of the voxel doses in target_structure is at most "
     "this (0: off; 0.02 = 2 %; run --target-uncertainty 2%); voxels without a deposit count as unknown (infinite); "
     "checked between batches, at most about 5 % of the run time"},
    {"transport.target_structure", Y90_KT_STRING, OFF(transport.target_structure), "liver_normal_treated", 0, 0, 0,
     "", NULL, 0, "structure of target_uncertainty, named as y90mc report names its rows: a structure of the "
     "phantom or a group (liver_normal_treated: the normal liver of the treated lobes, tumour, lungs, ...)"},
    {"transport.spin", Y90_KT_BOOL, OFF(transport.spin), "true", 0, 0, 0, "", NULL, 0,
     "spin (Mott) correction of elastic scattering (tabulated Mott-to-Rutherford ratios, sim/physics/mott.c); off: "
     "screened Rutherford, to compare with references made without spin"},
    {"transport.stratify", Y90_KT_BOOL, OFF(transport.stratify), "true", 0, 0, 0, "", NULL, 0,
     "microspheres: stratified decays: history h takes the sphere at frac(u0 + h (sqrt 5 - 1)/2) of the cumulative "
     "activity (u0 from transport.seed), so that every sphere gets its share of any stretch of histories to within "
     "a few decays (rms under 1) and the source-sampling noise is gone (unbiased; the reported uncertainty is then "
     "an upper bound); false: each decay's sphere drawn at random"},
    {"transport.range_rejection", Y90_KT_BOOL, OFF(transport.range_rejection), "true", 0, 0, 0, "", NULL, 0,
     "range rejection: an electron whose residual range cannot reach any face of its voxel (outside its sphere) "
     "deposits all its energy there at once (its bremsstrahlung, under 1e-3 of that energy below 200 keV, is not "
     "made); off: every electron is tracked down to the cutoff"},
    /* output */
    {"output.uncertainty", Y90_KT_BOOL, OFF(output.uncertainty), "true", 0, 0, 0, "", NULL, 0,
     "write /dose_rel_uncertainty"},
    {"output.microspheres", Y90_KT_BOOL, OFF(output.microspheres), "true", 0, 0, 0, "", NULL, 0,
     "write the spheres: the /microspheres table, or /microsphere_counts (source.sphere_storage)"},
    {"output.max_memory_gb", Y90_KT_DOUBLE, OFF(output.max_memory_gb), "0", 0, 1e5, 0, "GB", NULL, 0,
     "memory a run may use (0: 80 % of physical memory); larger grids are refused"},
    {"output.checkpoint_s", Y90_KT_DOUBLE, OFF(output.checkpoint_s), "300", 0, 1e9, 0, "s", NULL, 0,
     "write a checkpoint (OUT.h5.ckpt: the finished histories' tallies) this often and on SIGINT/SIGTERM, for "
     "run --resume (0: never; run --checkpoint-every 5m)"},
};

const size_t y90_config_nkeys = sizeof y90_config_keys / sizeof y90_config_keys[0];
