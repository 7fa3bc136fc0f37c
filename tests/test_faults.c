/* Faults and hostile input (issue 11): each failure the adversarial pass found has a regression test here, and
 * the fault tests run the y90mc binary into them: a full disk (a small tmpfs the test mounts; skipped with a
 * message where mounting is not allowed), an unwritable folder, a read-only target, SIGTERM and SIGKILL during
 * the write, two runs on one output. Each must end with a clear message, a non-zero exit and no corrupt or
 * partial file under the final name. Damaged and truncated files and inputs: test_damaged_files.c. */
#define _GNU_SOURCE
#include "testutil.h"
#include "y90/io.h"
#include "y90/kernel.h"
#include "y90/run.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <hdf5.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define HAS Y90T_HAS
#define cli y90t_clif


static int content_is(const char *path, const char *text)
{
    char *c = y90t_slurp(path, NULL);
    int ok = c && strcmp(c, text) == 0;
    free(c);
    return ok;
}

/* Files in folder dir whose name starts with prefix and holds mark (e.g. ".tmp-"). */
static int count_files(const char *dir, const char *prefix, const char *mark)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        if (strncmp(e->d_name, prefix, strlen(prefix)) == 0 && strstr(e->d_name + strlen(prefix), mark)) n++;
    if (d) closedir(d);
    return n;
}

/* A complete, readable run file: grid and dose. */
static int readable_run(const char *path)
{
    y90_grid g;
    y90_error e = {0};
    double *dose = NULL;
    float *unc = NULL;
    int ok = y90_io_read_grid(path, &g, &e) == Y90_OK;
    if (ok) {
        ok = y90_io_read_dose(path, y90_grid_nvox(&g), &dose, &unc, &e) == Y90_OK;
        y90_grid_free(&g);
    }
    if (!ok) fprintf(stderr, "\n    %s: %s ", path, e.msg);
    free(dose);
    free(unc);
    return ok;
}

#define BOX y90t_box_yaml
/* 1 mm voxels in a 160 mm box (4.1 million voxels): writing takes long enough to be interrupted. */
static const char *const BIG_BOX = "phantom:\n  type: box\n  voxel_mm: 1\n  box_size_mm: [160, 160, 160]\n"
                                   "  material: water\nsource:\n  type: uniform_box\ntreatment:\n  activity_gbq: 1.0\n"
                                   "transport:\n  kernel: local\n  histories: 20000\n";

/* ------------------------------------------------------------------------------ HDF5 surgery on run files */

/* Give the one structure of BOX a name. */
static void h5_set_name(const char *path, const char *n0)
{
    hid_t f = H5Fopen(path, H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, "/labels", H5P_DEFAULT);
    H5Adelete(d, "names");
    hid_t t = H5Tcopy(H5T_C_S1);
    H5Tset_size(t, H5T_VARIABLE);
    H5Tset_cset(t, H5T_CSET_UTF8);
    hsize_t n = 1;
    hid_t s = H5Screate_simple(1, &n, NULL);
    hid_t a = H5Acreate2(d, "names", t, s, H5P_DEFAULT, H5P_DEFAULT);
    const char *v[1] = {n0};
    CU_ASSERT(H5Awrite(a, t, v) >= 0);
    H5Aclose(a);
    H5Sclose(s);
    H5Tclose(t);
    H5Dclose(d);
    H5Fclose(f);
}

/* ---------------------------------------------------------------------------------- 1: unique temporaries */

/* Another process with our PID (another container) is writing "<out>.tmp-<pid>" (the old naming): our write
 * must neither truncate nor publish nor remove its file. Two temporaries of one output are distinct files. */
static void test_same_pid_temporaries(void)
{
    y90t_pathbuf run = y90t_tpath("pid_src.h5"), out = y90t_tpath("pid.h5"), theirs = y90t_tpath("pid.h5.tmp-%ld", (long)getpid());
    y90t_box_run(run.s);
    y90_grid g;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_io_read_grid(run.s, &g, &e), Y90_OK);
    FILE *f = fopen(theirs.s, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("another run's half-written file\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(y90_io_write_phantom(out.s, 0, NULL, &g, &e), Y90_OK);
    CU_ASSERT(content_is(theirs.s, "another run's half-written file\n"));
    CU_ASSERT(readable_run(run.s));
    y90_grid g2;
    CU_ASSERT_EQUAL(y90_io_read_grid(out.s, &g2, &e), Y90_OK);
    y90_grid_free(&g2);
    y90_grid_free(&g);
    remove(theirs.s);
    y90_tmpfile a, b;
    CU_ASSERT_EQUAL_FATAL(y90_tmp_create(out.s, &a, &e), Y90_OK);
    CU_ASSERT_EQUAL_FATAL(y90_tmp_create(out.s, &b, &e), Y90_OK);
    CU_ASSERT(strcmp(a.path, b.path) != 0);
    CU_ASSERT(a.ino != b.ino);
    /* both are locked: a stale-temporary cleanup leaves them alone */
    CU_ASSERT_EQUAL(y90_remove_stale_temps(out.s, NULL), 0);
    CU_ASSERT(y90t_exists(a.path) && y90t_exists(b.path));
    y90_tmp_discard(&a);
    y90_tmp_discard(&b);
    CU_ASSERT_EQUAL(count_files(y90t_dir(), "pid.h5", ".tmp-"), 0);
}

/* ------------------------------------------------------------------------------------------ 2: disk full */

static int mount_tmpfs(const char *dir, const char *opts)
{
    mkdir(dir, 0755);
    if (mount("tmpfs", dir, "tmpfs", 0, opts) != 0) {
        printf("\n    skipped: cannot mount a tmpfs (%s); run as root with CAP_SYS_ADMIN to test this ", strerror(errno));
        rmdir(dir);
        return -1;
    }
    return 0;
}

static void unmount(const char *dir)
{
    if (umount2(dir, MNT_DETACH) != 0) fprintf(stderr, "\n    cannot unmount %s: %s ", dir, strerror(errno));
    rmdir(dir);
}

static void test_disk_full(void)
{
    y90t_pathbuf dir = y90t_tpath("full"), cfg = y90t_twrite("full.yaml", BOX);
    if (mount_tmpfs(dir.s, "size=1m") != 0) return;
    y90t_pathbuf out = y90t_tpath("full/out.h5"), fill = y90t_tpath("full/filler");
    FILE *f = fopen(out.s, "w");
    fputs("previous result\n", f);
    fclose(f);
    /* fill the disk to the last block */
    int fd = open(fill.s, O_WRONLY | O_CREAT, 0644);
    char block[4096];
    memset(block, 7, sizeof block);
    while (write(fd, block, sizeof block) > 0) {}
    close(fd);
    char *msg = NULL;
    int rc = cli(&msg, "run %s -o %s --quiet --force", cfg.s, out.s);
    CU_ASSERT(rc == 1 || rc == 2); /* no crash (139 before) */
    HAS(msg, "No space left on device");
    HAS(msg, out.s);
    free(msg);
    CU_ASSERT(content_is(out.s, "previous result\n"));
    CU_ASSERT_EQUAL(count_files(dir.s, "out.h5", ".tmp-"), 0);
    /* the same for a CSV of the kernel tools */
    y90t_pathbuf csv = y90t_tpath("full/dpk.csv");
    rc = cli(&msg, "dpk --medium water --histories 200 -o %s", csv.s);
    CU_ASSERT(rc == 1 || rc == 2);
    HAS(msg, "No space left on device");
    free(msg);
    CU_ASSERT_FALSE(y90t_exists(csv.s));
    CU_ASSERT_EQUAL(count_files(dir.s, "dpk.csv", ".tmp-"), 0);
    unmount(dir.s);
}

/* --------------------------------------------------------------------- 3: the output appears during the run */

typedef struct { const char *out; int created; } appear_ctx;
static void create_output_once(int64_t done, int64_t total, void *user)
{
    appear_ctx *a = user;
    (void)done, (void)total;
    if (a->created) return;
    FILE *f = fopen(a->out, "w");
    if (f) {
        fputs("appeared\n", f);
        fclose(f);
    }
    a->created = 1;
}

static void test_output_appears(void)
{
    /* Monte Carlo: the deterministic local kernel reports no progress, and the output must appear mid-run */
    static const char *const BOX_MC = "phantom:\n  type: box\n  voxel_mm: 5\n  box_size_mm: [50, 50, 50]\n"
                                      "  material: water\nsource:\n  type: uniform_box\ntreatment:\n  activity_gbq: 1.0\n"
                                      "transport:\n  kernel: mc\n  histories: 2000\n";
    y90t_pathbuf cfgp = y90t_twrite("appear.yaml", BOX_MC), out = y90t_tpath("appear.h5");
    y90_config c;
    y90_error e = {0};
    CU_ASSERT_EQUAL_FATAL(y90_config_load(cfgp.s, &c, &e), Y90_OK);
    appear_ctx a = {out.s, 0};
    y90_run_options o = {.out_path = out.s, .progress = create_output_once, .progress_user = &a};
    CU_ASSERT_EQUAL(y90_run(&c, &o, &e), Y90_EINPUT);
    y90_config_free(&c);
    CU_ASSERT(a.created);
    CU_ASSERT(content_is(out.s, "appeared\n"));
    HAS(e.msg, "appeared while this run was going and is kept");
    const char *at = strstr(e.msg, "result is in ");
    CU_ASSERT_PTR_NOT_NULL_FATAL(at);
    y90t_pathbuf kept;
    snprintf(kept.s, sizeof kept.s, "%s", at + strlen("result is in "));
    *strchr(kept.s, ' ') = 0;
    CU_ASSERT(readable_run(kept.s));
    CU_ASSERT_EQUAL(count_files(y90t_dir(), "appear.h5", ".tmp-"), 0);
}

/* ------------------------------------------------------------------------------------------- 6: YAML bombs */

static void test_yaml_limits(void)
{
    size_t n = 100000;
    char *deep = malloc(2 * n + 64);
    strcpy(deep, "treatment:\n  activity_gbq: 1\nphantom: ");
    size_t k = strlen(deep);
    for (size_t i = 0; i < n; i++) deep[k++] = '[';
    for (size_t i = 0; i < n; i++) deep[k++] = ']';
    deep[k++] = '\n';
    deep[k] = 0;
    y90t_pathbuf p = y90t_twrite("deep.yaml", deep);
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "check %s", p.s), 2);
    HAS(msg, "deep.yaml:3:");
    HAS(msg, "nested deeper than");
    free(msg);
    /* block nesting on one line: "- - - - ..." */
    k = 0;
    strcpy(deep, "materials:\n  ");
    k = strlen(deep);
    for (size_t i = 0; i < 1000; i++) deep[k++] = '-', deep[k++] = ' ';
    strcpy(deep + k, "x\n");
    p = y90t_twrite("deep_block.yaml", deep);
    CU_ASSERT_EQUAL(cli(&msg, "check %s", p.s), 2);
    HAS(msg, "nested deeper than");
    free(msg);
    free(deep);
    /* a config larger than any real one */
    y90t_pathbuf big = y90t_tpath("big.yaml");
    FILE *f = fopen(big.s, "w");
    fputs("treatment:\n  activity_gbq: 1\n", f);
    for (int i = 0; i < 40000; i++) fputs("# a comment line of fifty characters, repeated....\n", f);
    fclose(f);
    CU_ASSERT_EQUAL(cli(&msg, "check %s", big.s), 2);
    HAS(msg, "big.yaml");
    HAS(msg, "at most 1048576 bytes");
    free(msg);
}

/* --------------------------------------------------------------------------- 7: what --force may replace */

static void test_force_targets(void)
{
    y90t_pathbuf cfg = y90t_twrite("force.yaml", BOX);
    char *msg = NULL;
    /* a FIFO */
    y90t_pathbuf fifo = y90t_tpath("fifo.h5");
    CU_ASSERT_FATAL(mkfifo(fifo.s, 0644) == 0);
    CU_ASSERT_EQUAL(cli(&msg, "run %s -o %s --quiet --force", cfg.s, fifo.s), 2);
    HAS(msg, "FIFO");
    free(msg);
    struct stat sb;
    CU_ASSERT(lstat(fifo.s, &sb) == 0 && S_ISFIFO(sb.st_mode));
    /* a symbolic link (to a file that must not change, and to a device) */
    y90t_pathbuf target = y90t_twrite("target.txt", "keep me\n"), link1 = y90t_tpath("link.h5"), link2 = y90t_tpath("null.csv");
    CU_ASSERT_FATAL(symlink(target.s, link1.s) == 0);
    CU_ASSERT_FATAL(symlink("/dev/null", link2.s) == 0);
    CU_ASSERT_EQUAL(cli(&msg, "run %s -o %s --quiet --force", cfg.s, link1.s), 2);
    HAS(msg, "symbolic link");
    free(msg);
    CU_ASSERT(lstat(link1.s, &sb) == 0 && S_ISLNK(sb.st_mode));
    CU_ASSERT(content_is(target.s, "keep me\n"));
    CU_ASSERT_EQUAL(cli(&msg, "dpk --medium water --histories 100 -o %s --force", link2.s), 2);
    HAS(msg, "symbolic link");
    free(msg);
    /* a device: a null device node of our own in the test folder (never a system file such as /dev/null, which a
     * faulty build would replace) */
    y90t_pathbuf dev = y90t_tpath("null_device");
    if (mknod(dev.s, S_IFCHR | 0666, makedev(1, 3)) == 0) {
        CU_ASSERT_EQUAL(cli(&msg, "dpk --medium water --histories 100 -o %s --force", dev.s), 2);
        HAS(msg, "device");
        free(msg);
        CU_ASSERT(lstat(dev.s, &sb) == 0 && S_ISCHR(sb.st_mode));
        remove(dev.s);
    } else {
        printf("\n    device case skipped: cannot make a device node (%s) ", strerror(errno));
    }
    /* the config itself */
    char *before = y90t_slurp(cfg.s, NULL);
    CU_ASSERT_EQUAL(cli(&msg, "run %s -o %s --quiet --force", cfg.s, cfg.s), 2);
    HAS(msg, "is the input");
    free(msg);
    CU_ASSERT_EQUAL(cli(&msg, "phantom %s -o %s --force", cfg.s, cfg.s), 2);
    free(msg);
    CU_ASSERT(content_is(cfg.s, before));
    free(before);
    CU_ASSERT_EQUAL(count_files(y90t_dir(), "", ".tmp-"), 0);
}

/* ---------------------------------------------------------------------------------- 9: long output paths */

static void test_long_paths(void)
{
    /* a previous file whose path is 1099 characters long, and an output whose path starts with it: the old
     * fixed buffer cut the temporary name down to the previous file's name, wrote over it and removed it */
    char dir[2048];
    snprintf(dir, sizeof dir, "%s", y90t_dir());
    while (strlen(dir) < 1099 - 210) {
        size_t l = strlen(dir);
        snprintf(dir + l, sizeof dir - l, "/%0200d", 0);
        CU_ASSERT_FATAL(mkdir(dir, 0755) == 0 || errno == EEXIST);
    }
    char prev[4096];
    size_t need = 1099 - strlen(dir) - 1, dl = strlen(dir);
    memcpy(prev, dir, dl);
    prev[dl] = '/';
    memset(prev + dl + 1, 'p', need);
    prev[1099] = 0;
    CU_ASSERT_FATAL(strlen(prev) == 1099);
    FILE *f = fopen(prev, "w");
    CU_ASSERT_FATAL(f != NULL);
    fputs("previous\n", f);
    fclose(f);
    char out[4200];
    snprintf(out, sizeof out, "%s.csv", prev);
    char *msg = NULL;
    int rc = cli(&msg, "dpk --medium water --histories 200 -o %s", out);
    if (rc) fprintf(stderr, "\n    %s ", msg);
    CU_ASSERT_EQUAL(rc, 0);
    free(msg);
    CU_ASSERT(content_is(prev, "previous\n"));
    char *text = y90t_slurp(out, NULL);
    CU_ASSERT(text && strstr(text, "r_mm,dose_gy_per_decay"));
    free(text);
    rc = cli(&msg, "vsv --medium water --voxel-mm 5 --histories 200 -o %s --force", out);
    CU_ASSERT_EQUAL(rc, 0);
    free(msg);
    CU_ASSERT(content_is(prev, "previous\n"));
}

/* ---------------------------------------------------------------------------------------- 11: messages */

/* `check` of config text (written as name) exits 2 with a message holding want. */
static void check_refuses(const char *name, const char *yaml, const char *want)
{
    y90t_pathbuf p = y90t_twrite(name, yaml);
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "check %s", p.s), 2);
    HAS(msg, want);
    free(msg);
}

static void test_messages(void)
{
    char *msg = NULL;
    /* source and phantom errors found after parsing name the file and the key's line */
    check_refuses("src_line.yaml", "phantom:\n  type: box\n  voxel_mm: 5\n  box_size_mm: [50, 50, 50]\n"
                                   "source:\n  type: voxel\n  voxel: [20, 0, 0]\ntreatment:\n  activity_gbq: 1\n",
                  "src_line.yaml:7: source.voxel");
    check_refuses("ph_line.yaml", "treatment:\n  activity_gbq: 1\nphantom:\n  voxel_mm: 4\n  tumour_count: 2\n"
                                  "  tumour_burden_percent: 80\n", "ph_line.yaml:6: phantom.tumour_burden_percent");
    /* a folder given as config */
    y90t_pathbuf d = y90t_tpath("a_folder.yaml");
    mkdir(d.s, 0755);
    CU_ASSERT_EQUAL(cli(&msg, "check %s", d.s), 2);
    HAS(msg, "is a folder");
    free(msg);
    /* --threads 0 means all cores, on the command line as in the config */
    y90t_pathbuf cfg = y90t_twrite("threads0.yaml", BOX), out = y90t_tpath("threads0.h5");
    int rc = cli(&msg, "run %s -o %s --quiet --threads 0", cfg.s, out.s);
    if (rc) fprintf(stderr, "\n    %s ", msg);
    CU_ASSERT_EQUAL(rc, 0);
    free(msg);
    y90t_pathbuf csv = y90t_tpath("threads0.csv");
    CU_ASSERT_EQUAL(cli(&msg, "dpk --medium water --histories 100 --threads 0 -o %s", csv.s), 0);
    free(msg);
    /* structure names with control characters are printed escaped */
    h5_set_name(out.s, "box\x1b[31mred\x07");
    CU_ASSERT_EQUAL(cli(&msg, "report %s", out.s), 0);
    CU_ASSERT_PTR_NULL(msg ? strchr(msg, 0x1b) : NULL);
    CU_ASSERT_PTR_NULL(msg ? strchr(msg, 0x07) : NULL);
    HAS(msg, "box\\x1b[31mred\\x07");
    free(msg);
    /* names from a config cannot hold control characters */
    check_refuses("ctl.yaml", "treatment:\n  activity_gbq: 1\nmaterials:\n  - name: \"a\\x1bb\"\n"
                              "    density: 1\n    composition: {H: 1}\n", "ctl.yaml:4:");
}

/* Stale temporaries of this output are removed on the next run, with a message; a locked one (a running
 * writer) and other files are left alone. */
static void test_stale_temporaries(void)
{
    y90t_pathbuf cfg = y90t_twrite("stale.yaml", BOX), out = y90t_tpath("stale.h5");
    y90t_pathbuf stale = y90t_twrite("stale.h5.tmp-AbC123", "left by a killed run");
    y90t_pathbuf live = y90t_twrite("stale.h5.tmp-Live99", "being written");
    y90t_pathbuf other = y90t_twrite("stale.h5.tmp-notours", "a name we never make");
    y90t_pathbuf other2 = y90t_twrite("stale2.h5.tmp-AbC123", "another output's");
    int fd = open(live.s, O_RDWR);
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    CU_ASSERT_FATAL(fcntl(fd, F_OFD_SETLK, &fl) == 0);
    char *msg = NULL;
    int rc = cli(&msg, "run %s -o %s --quiet", cfg.s, out.s);
    CU_ASSERT_EQUAL(rc, 0);
    HAS(msg, "removed");
    HAS(msg, "stale.h5.tmp-AbC123");
    free(msg);
    CU_ASSERT_FALSE(y90t_exists(stale.s));
    CU_ASSERT(y90t_exists(live.s) && y90t_exists(other.s) && y90t_exists(other2.s));
    close(fd);
    remove(live.s);
    remove(other.s);
    remove(other2.s);
}

/* -------------------------------------------------------------------------------- 12: tool progress */

static void test_tool_progress(void)
{
    char *msg = NULL;
    y90t_pathbuf csv = y90t_tpath("progress.csv");
    CU_ASSERT_EQUAL(cli(&msg, "dpk --medium water --histories 2000 -o %s", csv.s), 0);
    HAS(msg, "[dpk] 100 %");
    HAS(msg, "ETA");
    free(msg);
    y90t_pathbuf vsv = y90t_tpath("progress_vsv.csv");
    CU_ASSERT_EQUAL(cli(&msg, "vsv --medium water --voxel-mm 5 --histories 2000 -o %s", vsv.s), 0);
    HAS(msg, "[vsv] 100 %");
    free(msg);
}

/* ------------------------------------------------------------------------------------------ fault tests */

static void test_unwritable_folder(void)
{
    y90t_pathbuf cfg = y90t_twrite("ro.yaml", BOX), dir = y90t_tpath("ro_dir");
    int mounted = 0;
    if (geteuid() == 0) { /* root writes through permission bits: use a read-only file system */
        if (mount_tmpfs(dir.s, "size=64k") != 0) return;
        mount(NULL, dir.s, NULL, MS_REMOUNT | MS_RDONLY, NULL);
        mounted = 1;
    } else {
        mkdir(dir.s, 0555);
    }
    y90t_pathbuf out = y90t_tpath("ro_dir/out.h5");
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "run %s -o %s --quiet", cfg.s, out.s), 2);
    HAS(msg, "cannot write into folder");
    free(msg);
    CU_ASSERT_FALSE(y90t_exists(out.s));
    if (mounted) unmount(dir.s);
    else chmod(dir.s, 0755);
}

static void test_read_only_target(void)
{
    y90t_pathbuf cfg = y90t_twrite("rot.yaml", BOX), out = y90t_twrite("rot.h5", "read-only result\n");
    chmod(out.s, 0444);
    char *msg = NULL;
    CU_ASSERT_EQUAL(cli(&msg, "run %s -o %s --quiet --force", cfg.s, out.s), 2);
    HAS(msg, "read-only");
    free(msg);
    CU_ASSERT(content_is(out.s, "read-only result\n"));
    chmod(out.s, 0644);
}

/* Start the CLI (args split on spaces), poll the folder until a temporary file of out appears (the write has
 * begun), send sig, and return the wait status. */
static int signal_during_write(const char *cfg, const char *out, int sig, char **log)
{
    y90t_pathbuf logp = y90t_tpath("signal_%d.log", sig);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 2, logp.s, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
    char *argv[] = {(char *)y90t_cli_path(), "run", (char *)cfg, "-o", (char *)out, "--quiet", NULL};
    pid_t pid;
    CU_ASSERT_FATAL(posix_spawn(&pid, argv[0], &fa, NULL, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&fa);
    const char *slash = strrchr(out, '/');
    char dir[2048];
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - out), out);
    int status = 0, seen = 0;
    for (int i = 0; i < 120000 && !seen; i++) { /* up to 2 minutes */
        if (waitpid(pid, &status, WNOHANG) == pid) break;
        seen = count_files(dir, slash + 1, ".tmp-") > 0;
        if (!seen) usleep(1000);
    }
    if (seen) {
        kill(pid, sig);
        waitpid(pid, &status, 0);
    } else {
        fprintf(stderr, "\n    the write was not seen before the run ended ");
    }
    CU_ASSERT(seen);
    *log = y90t_slurp(logp.s, NULL);
    return status;
}

static void test_sigterm_during_write(void)
{
    y90t_pathbuf cfg = y90t_twrite("term.yaml", BIG_BOX), out = y90t_tpath("term.h5");
    char *msg = NULL;
    int st = signal_during_write(cfg.s, out.s, SIGTERM, &msg);
    /* the write finishes (the result is complete), then the run says it was interrupted */
    CU_ASSERT(WIFEXITED(st) && WEXITSTATUS(st) == 130);
    HAS(msg, "interrupted while writing");
    free(msg);
    CU_ASSERT(readable_run(out.s));
    CU_ASSERT_EQUAL(count_files(y90t_dir(), "term.h5", ".tmp-"), 0);
    remove(out.s);
}

static void test_sigkill_during_write(void)
{
    y90t_pathbuf cfg = y90t_twrite("kill.yaml", BIG_BOX), out = y90t_tpath("kill.h5");
    char *msg = NULL;
    int st = signal_during_write(cfg.s, out.s, SIGKILL, &msg);
    free(msg);
    CU_ASSERT(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
    CU_ASSERT_FALSE(y90t_exists(out.s));
    CU_ASSERT_EQUAL(count_files(y90t_dir(), "kill.h5", ".tmp-"), 1); /* what SIGKILL leaves */
    /* the next run removes it and says so */
    y90t_pathbuf small = y90t_twrite("kill_small.yaml", BOX);
    int rc = cli(&msg, "run %s -o %s", small.s, out.s);
    CU_ASSERT_EQUAL(rc, 0);
    HAS(msg, "removed");
    HAS(msg, "killed");
    free(msg);
    CU_ASSERT_EQUAL(count_files(y90t_dir(), "kill.h5", ".tmp-"), 0);
    CU_ASSERT(readable_run(out.s));
}

/* Two runs on one output at once: one result is published whole, the other run says where its result is (or
 * that the output exists); with --force both succeed and the file is whole. */
static void test_two_runs_one_output(void)
{
    y90t_pathbuf cfg = y90t_twrite("two.yaml", BOX);
    for (int force = 0; force <= 1; force++) {
        y90t_pathbuf out = y90t_tpath("two%d.h5", force), log0 = y90t_tpath("two%d_a.log", force), log1 = y90t_tpath("two%d_b.log", force);
        pid_t pid[2];
        const char *logs[2] = {log0.s, log1.s};
        for (int k = 0; k < 2; k++) {
            posix_spawn_file_actions_t fa;
            posix_spawn_file_actions_init(&fa);
            posix_spawn_file_actions_addopen(&fa, 2, logs[k], O_WRONLY | O_CREAT | O_TRUNC, 0644);
            char *argv[] = {(char *)y90t_cli_path(), "run", cfg.s, "-o", out.s, "--quiet", force ? "--force" : NULL,
                            NULL};
            CU_ASSERT_FATAL(posix_spawn(&pid[k], argv[0], &fa, NULL, argv, environ) == 0);
            posix_spawn_file_actions_destroy(&fa);
        }
        int rc[2];
        for (int k = 0; k < 2; k++) {
            int st;
            waitpid(pid[k], &st, 0);
            rc[k] = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        }
        CU_ASSERT(readable_run(out.s));
        CU_ASSERT_EQUAL(count_files(y90t_dir(), "", ".tmp-"), 0);
        if (force) {
            CU_ASSERT(rc[0] == 0 && rc[1] == 0);
        } else {
            CU_ASSERT((rc[0] == 0 && rc[1] == 2) || (rc[0] == 2 && rc[1] == 0));
            char *msg = y90t_slurp(rc[0] ? log0.s : log1.s, NULL);
            CU_ASSERT(msg && (strstr(msg, "exists; use --force") || strstr(msg, "is kept")));
            const char *at = msg ? strstr(msg, "result is in ") : NULL;
            if (at) { /* the loser's finished result is whole too */
                char kept[4096];
                snprintf(kept, sizeof kept, "%s", at + strlen("result is in "));
                *strchr(kept, ' ') = 0;
                CU_ASSERT(readable_run(kept));
                remove(kept);
            }
            free(msg);
        }
    }
}

void y90t_register(void)
{
    CU_pSuite s = CU_add_suite("issue 11 failures", NULL, NULL);
    CU_add_test(s, "1: same-PID temporaries are distinct and never touched", test_same_pid_temporaries);
    CU_add_test(s, "2: disk full: message, previous file kept, no crash", test_disk_full);
    CU_add_test(s, "3: output appearing during the run: result kept, message says where", test_output_appears);
    CU_add_test(s, "6: YAML nesting and size limits", test_yaml_limits);
    CU_add_test(s, "7: --force replaces only regular writable files, never the config", test_force_targets);
    CU_add_test(s, "9: long output paths of vsv/dpk", test_long_paths);
    CU_add_test(s, "11: file:line, folder as config, --threads 0, escaped names", test_messages);
    CU_add_test(s, "11: stale temporaries removed with a message", test_stale_temporaries);
    CU_add_test(s, "12: progress for vsv and dpk", test_tool_progress);
    CU_pSuite f = CU_add_suite("fault tests", NULL, NULL);
    CU_add_test(f, "unwritable folder", test_unwritable_folder);
    CU_add_test(f, "read-only target", test_read_only_target);
    CU_add_test(f, "SIGTERM during the write", test_sigterm_during_write);
    CU_add_test(f, "SIGKILL during the write, cleaned by the next run", test_sigkill_during_write);
    CU_add_test(f, "two runs on one output path", test_two_runs_one_output);
}
