/* Reading the integer tallies of a part file (/tally, written by y90_io_write_run for `run --part I/N`). */
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>
#include <hdf5_hl.h>
#include "y90/io.h"
#include "y90/kernel.h"

/* Read dataset name of exactly n integers (memory type mtype: uint64 or uint32) into v. */
static y90_status read_uint(hid_t f, const char *path, const char *name, hid_t mtype, void *v, size_t n,
                            y90_error *err)
{
    int rank = 0;
    hsize_t dims[1] = {0};
    if (H5Lexists(f, name, H5P_DEFAULT) <= 0)
        return Y90_FAIL(err, Y90_EINPUT, "%s: no %s: not a part of a run (y90mc run --part I/N writes it)", path, name);
    if (H5LTget_dataset_ndims(f, name, &rank) < 0 || rank != 1 || H5LTget_dataset_info(f, name, dims, NULL, NULL) < 0 ||
        dims[0] != n)
        return Y90_FAIL(err, Y90_EINPUT, "%s: %s has %llu values, expected %zu (one per voxel)", path, name,
                        (unsigned long long)dims[0], n);
    if (H5LTread_dataset(f, name, mtype, v) < 0)
        return Y90_FAIL(err, Y90_EIO, "%s: cannot read %s", path, name);
    return Y90_OK;
}

y90_status y90_io_read_tally(const char *path, y90_tally *t, y90_error *err)
{
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
    if (f < 0) return Y90_FAIL(err, Y90_EINPUT, "%s: not an HDF5 file or not readable", path);
    y90_status st = Y90_OK;
    if (H5Lexists(f, "/tally", H5P_DEFAULT) <= 0)
        st = Y90_FAIL(err, Y90_EINPUT, "%s: no /tally: not a part of a run (y90mc run --part I/N writes it)", path);
    if (!st) st = read_uint(f, path, "/tally/sum", H5T_NATIVE_UINT64, t->sum, t->nvox, err);
    if (!st) st = read_uint(f, path, "/tally/sum2", H5T_NATIVE_UINT64, t->sum2, t->nvox, err);
    if (!st) st = read_uint(f, path, "/tally/sum_hi", H5T_NATIVE_UINT32, t->sum_hi, t->nvox, err);
    if (!st) st = read_uint(f, path, "/tally/sum2_hi", H5T_NATIVE_UINT32, t->sum2_hi, t->nvox, err);
    const char *eb_names[2] = {"eb", "eb_hi"};
    uint64_t *eb_vals[2] = {t->eb, t->eb_hi};
    for (int i = 0; i < 2 && !st; i++) {
        hsize_t dims[1] = {0};
        H5T_class_t cls;
        size_t size = 0;
        if (H5LTget_attribute_info(f, "/tally", eb_names[i], dims, &cls, &size) < 0 || dims[0] != Y90_EB_N ||
            cls != H5T_INTEGER || H5LTget_attribute(f, "/tally", eb_names[i], H5T_NATIVE_UINT64, eb_vals[i]) < 0)
            st = Y90_FAIL(err, Y90_EINPUT, "%s: /tally lacks its %s attribute (%d integers)", path, eb_names[i], Y90_EB_N);
    }
    if (!st && (H5LTget_attribute(f, "/tally", "deposited", H5T_NATIVE_UINT64, &t->deposited) < 0 ||
                H5LTget_attribute(f, "/tally", "deposited_hi", H5T_NATIVE_UINT64, &t->deposited_hi) < 0))
        st = Y90_FAIL(err, Y90_EINPUT, "%s: /tally lacks its deposited or deposited_hi attribute", path);
    H5Fclose(f);
    return st;
}
