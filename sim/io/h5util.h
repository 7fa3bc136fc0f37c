/* y90mc: helpers shared by the HDF5 writers (io_h5.c) and readers (io_h5_read.c); private to sim/io. */
#ifndef Y90_IO_H5UTIL_H
#define Y90_IO_H5UTIL_H

#include <stdio.h>
#include <hdf5.h>

/* HDF5 prints its error stack to stderr by default; users should see only our messages. */
static inline void quiet_hdf5(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }

static inline herr_t innermost_cb(unsigned n, const H5E_error2_t *e, void *data)
{
    if (n == 0 && e->desc) snprintf((char *)data, 160, "%s", e->desc);
    return 0;
}

/* The most specific message of the current HDF5 error stack (for "(HDF5: ...)" in our messages). */
static inline const char *h5_reason(char buf[160])
{
    buf[0] = 0;
    H5Ewalk2(H5E_DEFAULT, H5E_WALK_UPWARD, innermost_cb, buf);
    if (!buf[0]) snprintf(buf, 160, "HDF5 error");
    return buf;
}

/* Variable-length UTF-8 string type (h5py reads it as str). Close with H5Tclose. */
static inline hid_t vlen_str_type(void)
{
    hid_t t = H5Tcopy(H5T_C_S1);
    if (t < 0) return t;
    if (H5Tset_size(t, H5T_VARIABLE) < 0 || H5Tset_cset(t, H5T_CSET_UTF8) < 0) {
        H5Tclose(t);
        return -1;
    }
    return t;
}

static inline void vlen_reclaim(hid_t type, hid_t space, void *buf)
{
#if H5_VERSION_GE(1, 12, 0)
    H5Treclaim(type, space, H5P_DEFAULT, buf);
#else
    H5Dvlen_reclaim(type, space, H5P_DEFAULT, buf);
#endif
}

static inline void close_id(hid_t id, herr_t (*fn)(hid_t))
{
    if (id >= 0) fn(id);
}

#endif
