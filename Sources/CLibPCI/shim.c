/*
 * shim.c — see include/clibpci.h for why this exists.
 *
 * libpci facts this file relies on (pciutils v3.9.0, lib/init.c, lib/sysfs.c, lib/names*.c):
 *  - `pci_access.error` must not return (PCI_NONRET); the default prints and calls exit(1).
 *    We longjmp back to the guarded entry point instead. Only C frames (libpci's) lie between the
 *    setjmp and the longjmp, so no Swift frame is skipped. A libpci error may leak the FILE or the
 *    device it was reading; that is the price of not exiting, and it happens once per failed probe.
 *  - With `method = PCI_ACCESS_SYS_BUS_PCI` pci_init() does no detection; the first access to a
 *    missing tree is `sysfs_scan`'s `a->error("Cannot open %s/devices")`.
 *  - `sysfs.path` is the parameter naming the /sys/bus/pci directory; the ID file is set with
 *    `pci_set_name_list_path`; `hwdb.disable` and `id_lookup_mode = 0` keep udev's hwdb, DNS and
 *    ~/.pciids-cache out of the names, so a recorded machine gets the same names everywhere.
 *  - The driver comes from `sysfs_deref_link(d, "driver")`, i.e. realpath() of the `driver`
 *    symlink, so the link's target must exist (it does in real sysfs and in our fixtures).
 */
#define _GNU_SOURCE
#include <pci/pci.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clibpci.h"

#define SPECFIT_PCI_WARNINGS_SIZE 4096

struct specfit_pci {
    struct pci_access *access;
    jmp_buf *escape;                         /* where on_error jumps; NULL outside a guarded call */
    char error[SPECFIT_PCI_MESSAGE_SIZE];    /* last libpci error */
    char warnings[SPECFIT_PCI_WARNINGS_SIZE];/* libpci warnings, "\n"-separated */
    specfit_pci_device *devices;             /* (device_count) after a successful scan */
    int device_count;
    int scanned;                             /* 1 after a successful scan */
};

/* libpci's callbacks receive no context, so the session being served lives in a thread-local. */
static _Thread_local specfit_pci *current_session;

static void copy_message(char *dst, const char *src) {
    if (!dst) return;
    snprintf(dst, SPECFIT_PCI_MESSAGE_SIZE, "%s", src ? src : "");
}

static void on_error(char *msg, ...) __attribute__((noreturn));
static void on_error(char *msg, ...) {
    specfit_pci *pci = current_session;
    if (pci) {
        va_list args;
        va_start(args, msg);
        vsnprintf(pci->error, sizeof pci->error, msg, args);
        va_end(args);
        if (pci->escape) longjmp(*pci->escape, 1);
    }
    /* Unreachable: every libpci call in this file runs inside run_guarded(). */
    abort();
}

static void on_warning(char *msg, ...) {
    specfit_pci *pci = current_session;
    if (!pci) return;
    size_t used = strlen(pci->warnings);
    if (used + 2 >= sizeof pci->warnings) return;
    if (used > 0) {
        pci->warnings[used++] = '\n';
        pci->warnings[used] = 0;
    }
    va_list args;
    va_start(args, msg);
    vsnprintf(pci->warnings + used, sizeof pci->warnings - used, msg, args);
    va_end(args);
}

static void on_debug(char *msg, ...) { (void)msg; }

/* Runs body(pci, context) so that a libpci error returns -1 (message in pci->error) instead of exiting. */
static int run_guarded(specfit_pci *pci, void (*body)(specfit_pci *, void *), void *context) {
    jmp_buf escape;
    specfit_pci *saved_session = current_session;
    jmp_buf *saved_escape = pci->escape;
    volatile int result = -1;

    current_session = pci;
    pci->escape = &escape;
    if (setjmp(escape) == 0) {
        body(pci, context);
        result = 0;
    }
    pci->escape = saved_escape;
    current_session = saved_session;
    return result;
}

/* ---- open ---- */

struct open_arguments {
    const char *sysfs_bus_pci;
    const char *pci_ids_path;
};

static void open_body(specfit_pci *pci, void *context) {
    struct open_arguments *arguments = context;
    struct pci_access *access = pci_alloc();
    pci->access = access;
    access->error = on_error;
    access->warning = on_warning;
    access->debug = on_debug;
    access->debugging = 0;
    access->method = PCI_ACCESS_SYS_BUS_PCI;
    access->numeric_ids = 0;
    access->id_lookup_mode = 0; /* no ~/.pciids-cache, no DNS */
    if (pci_set_param(access, "sysfs.path", (char *)arguments->sysfs_bus_pci) != 0)
        on_error("libpci has no sysfs.path parameter (is it built without Linux sysfs support?)");
    (void)pci_set_param(access, "hwdb.disable", "1"); /* absent when built without udev: fine */
    if (arguments->pci_ids_path) {
        char *path = strdup(arguments->pci_ids_path);
        if (!path) on_error("out of memory");
        pci_set_name_list_path(access, path, 1);
    }
    pci_init(access);
}

specfit_pci *specfit_pci_open(const char *sysfs_bus_pci, const char *pci_ids_path, char *error) {
    if (!sysfs_bus_pci) {
        copy_message(error, "no sysfs path given");
        return NULL;
    }
    specfit_pci *pci = calloc(1, sizeof *pci);
    if (!pci) {
        copy_message(error, "out of memory");
        return NULL;
    }
    struct open_arguments arguments = { sysfs_bus_pci, pci_ids_path };
    if (run_guarded(pci, open_body, &arguments) != 0) {
        copy_message(error, pci->error);
        specfit_pci_close(pci);
        return NULL;
    }
    return pci;
}

/* ---- scan ---- */

static void scan_body(specfit_pci *pci, void *context) {
    (void)context;
    struct pci_access *access = pci->access;
    pci_scan_bus(access);

    int count = 0;
    for (struct pci_dev *d = access->devices; d; d = d->next) count++;
    specfit_pci_device *devices = calloc(count > 0 ? (size_t)count : 1, sizeof *devices);
    if (!devices) on_error("out of memory");
    free(pci->devices);
    pci->devices = devices;
    pci->device_count = 0;

    const int wanted = PCI_FILL_IDENT | PCI_FILL_CLASS | PCI_FILL_CLASS_EXT | PCI_FILL_SUBSYS | PCI_FILL_DRIVER;
    for (struct pci_dev *d = access->devices; d; d = d->next) {
        int known = pci_fill_info(d, wanted);
        specfit_pci_device *out = &devices[pci->device_count++];
        out->domain = d->domain;
        out->bus = d->bus;
        out->dev = d->dev;
        out->func = d->func;
        out->vendor_id = d->vendor_id;
        out->device_id = d->device_id;
        out->device_class = d->device_class;
        out->prog_if = (known & PCI_FILL_CLASS_EXT) ? d->prog_if : -1;
        out->revision = (known & PCI_FILL_CLASS_EXT) ? d->rev_id : -1;
        out->subsys_vendor_id = (known & PCI_FILL_SUBSYS) ? d->subsys_vendor_id : -1;
        out->subsys_device_id = (known & PCI_FILL_SUBSYS) ? d->subsys_id : -1;
        char *driver = (known & PCI_FILL_DRIVER) ? pci_get_string_property(d, PCI_FILL_DRIVER) : NULL;
        snprintf(out->driver, sizeof out->driver, "%s", driver ? driver : "");
    }
}

int specfit_pci_scan(specfit_pci *pci, char *error) {
    if (!pci || !pci->access) {
        copy_message(error, "libpci session is not open");
        return -1;
    }
    if (pci->scanned) return pci->device_count;
    if (run_guarded(pci, scan_body, NULL) != 0) {
        copy_message(error, pci->error);
        return -1;
    }
    pci->scanned = 1;
    return pci->device_count;
}

int specfit_pci_device_at(const specfit_pci *pci, int index, specfit_pci_device *out) {
    if (!pci || !out || !pci->scanned || index < 0 || index >= pci->device_count) return -1;
    *out = pci->devices[index];
    return 0;
}

/* ---- names ---- */

struct lookup_arguments {
    char *buf;
    int size;
    int flags;
    int ids[4];
    char *found;
};

static void lookup_body(specfit_pci *pci, void *context) {
    struct lookup_arguments *a = context;
    /* PCI_LOOKUP_NO_NUMBERS: NULL when pci.ids lacks the entry, instead of a formatted number. */
    int flags = a->flags | PCI_LOOKUP_NO_NUMBERS | PCI_LOOKUP_NO_HWDB;
    a->found = pci_lookup_name(pci->access, a->buf, a->size, flags, a->ids[0], a->ids[1], a->ids[2], a->ids[3]);
}

static int lookup(specfit_pci *pci, char *buf, int size, int flags, int a0, int a1, int a2, int a3) {
    if (!pci || !pci->access || !buf || size <= 0) return -1;
    buf[0] = 0;
    struct lookup_arguments arguments = { buf, size, flags, { a0, a1, a2, a3 }, NULL };
    if (run_guarded(pci, lookup_body, &arguments) != 0) return -1;
    if (!arguments.found) {
        buf[0] = 0;
        return 0;
    }
    if (arguments.found != buf) snprintf(buf, (size_t)size, "%s", arguments.found);
    return 1;
}

int specfit_pci_lookup_device_name(specfit_pci *pci, char *buf, int size, int vendor, int device) {
    return lookup(pci, buf, size, PCI_LOOKUP_DEVICE, vendor, device, 0, 0);
}

int specfit_pci_lookup_vendor_name(specfit_pci *pci, char *buf, int size, int vendor) {
    return lookup(pci, buf, size, PCI_LOOKUP_VENDOR, vendor, 0, 0, 0);
}

int specfit_pci_lookup_subsystem_name(specfit_pci *pci, char *buf, int size, int vendor, int device,
                                      int subsys_vendor, int subsys_device) {
    return lookup(pci, buf, size, PCI_LOOKUP_SUBSYSTEM | PCI_LOOKUP_DEVICE, vendor, device, subsys_vendor, subsys_device);
}

/* ---- warnings, close ---- */

void specfit_pci_warnings(const specfit_pci *pci, char *buf, int size) {
    if (!buf || size <= 0) return;
    snprintf(buf, (size_t)size, "%s", pci ? pci->warnings : "");
}

static void close_body(specfit_pci *pci, void *context) {
    (void)context;
    pci_cleanup(pci->access);
}

void specfit_pci_close(specfit_pci *pci) {
    if (!pci) return;
    if (pci->access) (void)run_guarded(pci, close_body, NULL);
    pci->access = NULL;
    free(pci->devices);
    free(pci);
}
